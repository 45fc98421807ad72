import { timingSafeEqual } from 'node:crypto'

/** Authentication settings of a local server (see `StartCrateDBOptions.users` and `jwtTokens`). */
export interface AuthConfig {
  /**
   * User name → password. `undefined` = authentication off (every request is user `crate`,
   * https://cratedb.com/docs/crate/reference/en/latest/admin/auth/methods.html#auth-trust).
   */
  readonly users: Readonly<Record<string, string>> | undefined
  /** Accepted bearer tokens → the user each one authenticates. */
  readonly jwtTokens: Readonly<Record<string, string>>
}

/** Outcome of {@link authenticate}. */
export type AuthResult =
  | { readonly ok: true; readonly user: string }
  /** 401 with this plain-text body, `WWW-Authenticate: Basic realm="CrateDB Authenticator"`, connection closed. */
  | { readonly ok: false; readonly status: 401 | 500; readonly body: string }

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

function jwtUser(token: string): string {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>
    const name = payload['username'] ?? payload['sub']
    return typeof name === 'string' ? name : ''
  } catch {
    return ''
  }
}

/**
 * Checks an `Authorization` header like CrateDB's HTTP auth handler (crate/crate
 * `server/src/main/java/io/crate/auth/HttpAuthUpstreamHandler.java`): scheme `Basic` or `Bearer`
 * (case-insensitive); Basic decodes `user[:password]`; a missing header means user `crate` with no password.
 * With `users` or `jwtTokens` configured every request must authenticate: failures give 401 with
 * `password authentication failed for user "<user>"` / `jwt authentication failed for user "<user>"`.
 * A scheme other than Basic/Bearer, or a scheme without a value, gives 500 plain text
 * (CrateDB throws from its auth handler; inferred in the spec).
 *
 * @example
 * authenticate('Basic ' + Buffer.from('alice:secret').toString('base64'), { users: { alice: 'secret' }, jwtTokens: {} })
 * // { ok: true, user: 'alice' }
 */
export function authenticate(header: string | undefined, config: AuthConfig): AuthResult {
  let user = 'crate'
  let password: string | undefined
  let token: string | undefined
  if (header !== undefined && header.trim() !== '') {
    const parts = header.trim().split(/ +/)
    const scheme = parts[0]!.toLowerCase()
    if (parts.length < 2) {
      return { ok: false, status: 500, body: 'Authorization header must contain auth scheme (basic, bearer) and base64 encoded value separated by a whitespace' }
    }
    if (scheme === 'basic') {
      const decoded = Buffer.from(parts[1]!, 'base64').toString('utf8')
      const colon = decoded.indexOf(':')
      user = colon < 0 ? decoded : decoded.slice(0, colon)
      password = colon < 0 || colon === decoded.length - 1 ? undefined : decoded.slice(colon + 1)
    } else if (scheme === 'bearer') {
      token = parts[1]
    } else {
      return { ok: false, status: 500, body: 'Only basic or bearer HTTP Authentication schemes are allowed.' }
    }
  }
  const required = config.users !== undefined || Object.keys(config.jwtTokens).length > 0
  if (!required) return { ok: true, user }
  if (token !== undefined) {
    const owner = config.jwtTokens[token]
    if (owner === undefined) return { ok: false, status: 401, body: `jwt authentication failed for user "${jwtUser(token)}"` }
    return { ok: true, user: owner }
  }
  const expected = config.users?.[user]
  if (expected === undefined || !equal(expected, password ?? '')) {
    return { ok: false, status: 401, body: `password authentication failed for user "${user}"` }
  }
  return { ok: true, user }
}
