import { redactUrl } from '../core/errors.ts'
import { InvalidArgumentError } from './errors.ts'

/** Where a Tarantool instance listens: a TCP host and port, or a unix socket path. */
export type TarantoolEndpoint = { host: string; port: number; path?: undefined } | { path: string; host?: undefined; port?: undefined }

/** Endpoint plus credentials parsed from an address. */
export interface ParsedAddress {
  endpoint: TarantoolEndpoint
  user?: string
  password?: string
}

/**
 * Accepted address forms (Tarantool listen URIs,
 * https://www.tarantool.io/en/doc/latest/platform/configuration/configuration_code/#index-uri):
 * - `3301` or `'3301'` → `localhost:3301`
 * - `'host:port'`, `'[::1]:3301'`
 * - `'tarantool://user:password@host:port'` (user and password percent-decoded; `tcp://` also accepted)
 * - `'/path/to.sock'`, `'unix:/path/to.sock'`, `'unix/:/path/to.sock'`, `'tarantool://user:pw@unix/:/path.sock'`
 * - an object `{ host, port }` or `{ path }`
 *
 * @throws InvalidArgumentError when the address has none of these forms.
 */
export function parseAddress(address: string | number | TarantoolEndpoint): ParsedAddress {
  if (typeof address === 'number') return { endpoint: { host: 'localhost', port: checkPort(address, String(address)) } }
  if (typeof address === 'object' && address !== null) {
    if (typeof address.path === 'string') return { endpoint: { path: address.path } }
    if (typeof address.host === 'string' && typeof address.port === 'number') {
      return { endpoint: { host: address.host, port: checkPort(address.port, `${address.host}:${address.port}`) } }
    }
    throw new InvalidArgumentError('Tarantool address object needs { host, port } or { path }')
  }
  if (typeof address !== 'string' || address.length === 0) {
    throw new InvalidArgumentError('Tarantool address must be a non-empty string, a port number or { host, port } / { path }')
  }
  let rest = address
  let user: string | undefined
  let password: string | undefined
  const scheme = /^(tarantool|tcp):\/\//i.exec(rest)
  if (scheme) rest = rest.slice(scheme[0].length)
  const at = rest.lastIndexOf('@')
  if (at >= 0 && !rest.startsWith('/')) {
    const auth = rest.slice(0, at)
    rest = rest.slice(at + 1)
    const colon = auth.indexOf(':')
    try {
      user = decodeURIComponent(colon >= 0 ? auth.slice(0, colon) : auth)
      if (colon >= 0) password = decodeURIComponent(auth.slice(colon + 1))
    } catch {
      throw new InvalidArgumentError('The user or password in the Tarantool address has a malformed %-escape; percent-encode them (encodeURIComponent)')
    }
  }
  const unix = /^unix\/?:/i.exec(rest)
  if (unix) return withAuth({ path: rest.slice(unix[0].length) }, user, password)
  if (rest.startsWith('/') || rest.startsWith('./')) return withAuth({ path: rest }, user, password)
  if (/^\d+$/.test(rest)) return withAuth({ host: 'localhost', port: checkPort(Number(rest), rest) }, user, password)
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(rest) ?? /^([^:/]+):(\d+)\/?$/.exec(rest)
  if (!m) {
    throw new InvalidArgumentError(
      `Cannot parse Tarantool address ${JSON.stringify(redactAuth(address))}: use 'host:port', 'tarantool://user:password@host:port', ` +
        `'unix/:/path/to.sock' or a port number`,
    )
  }
  return withAuth({ host: m[1]!, port: checkPort(Number(m[2]), rest) }, user, password)
}

/** Human-readable form of an endpoint for messages: `host:port` or `unix/:path`. Never contains credentials. */
export function formatEndpoint(endpoint: TarantoolEndpoint): string {
  return endpoint.path !== undefined ? `unix/:${endpoint.path}` : `${endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host}:${endpoint.port}`
}

function withAuth(endpoint: TarantoolEndpoint, user: string | undefined, password: string | undefined): ParsedAddress {
  const parsed: ParsedAddress = { endpoint }
  if (user !== undefined && user !== '') parsed.user = user
  if (password !== undefined) parsed.password = password
  return parsed
}

function checkPort(port: number, text: string): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InvalidArgumentError(`Tarantool port must be an integer 1..65535, got ${JSON.stringify(redactAuth(text))}`)
  }
  return port
}

function redactAuth(text: string): string {
  return redactUrl(text)
}
