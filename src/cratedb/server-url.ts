import { redactUrl } from '../core/errors.ts'
import { InvalidArgumentError } from './errors.ts'

/** One CrateDB node as the driver addresses it. */
export interface NodeAddress {
  /** `http://host:4200/` or `https://host:4200/prefix/`: no credentials, always a trailing slash. */
  readonly url: string
  /** `http://host:4200`: what undici connects to. */
  readonly origin: string
  /** Path prefix put before `/_sql`, `/_blobs`, `/` (crate-python 2.1+); `''` for none. */
  readonly prefix: string
  readonly https: boolean
}

/** Default node when none is given. */
export const DEFAULT_SERVER = 'http://localhost:4200/'

/**
 * Parses the `servers` argument (as crate/crate-python `src/crate/client/connection.py` takes it): one URL, a
 * whitespace-separated list of URLs, or an array.
 * `host:port` without a scheme means `http://`; a bare host without scheme or port means port 4200. A URL
 * path is kept as a prefix for every request. The user info of the **first** URL (`http://user:pass@host`)
 * is returned separately so it becomes the default credentials; the node URLs never contain credentials.
 *
 * A whitespace-separated string of several entries of which none is a URL, `host:port` or a dotted host name is
 * refused: `'not a url'` is not read as the hosts `not`, `a` and `url`. A single entry, an array, or a list with
 * at least one such entry may name bare hosts (`crate`, port 4200).
 *
 * @throws InvalidArgumentError for an empty list, a non-string entry, a URL that does not parse or is not
 *   http(s), or a malformed %-escape in the user info. The error never holds the password: neither its message
 *   nor a cause (Node's URL `TypeError` keeps the whole input, so it is not attached).
 */
export function parseServers(servers: string | readonly string[] | undefined): { nodes: NodeAddress[]; username?: string; password?: string } {
  const list = servers === undefined ? [DEFAULT_SERVER] : typeof servers === 'string' ? servers.trim().split(/\s+/).filter(Boolean) : [...servers]
  if (list.length === 0) throw new InvalidArgumentError('No CrateDB server given: pass a URL such as http://localhost:4200/')
  const nodes: NodeAddress[] = []
  let username: string | undefined
  let password: string | undefined
  const seen = new Set<string>()
  // `connect('not a url')` would otherwise become the hosts `not`, `a` and `url` and fail later as unreachable.
  if (typeof servers === 'string' && list.length > 1 && list.every((e) => BARE_LABEL.test(e))) {
    throw new InvalidArgumentError(
      `Not a CrateDB server list: ${JSON.stringify(redactUrl(servers))} holds no URL or host:port. Separate servers by ` +
        `spaces as URLs ('http://db1:4200 http://db2:4200') or pass an array`,
    )
  }
  list.forEach((entry, i) => {
    if (typeof entry !== 'string') throw new InvalidArgumentError(`servers[${i}] must be a URL string, got ${typeof entry}`)
    const parsed = parseOne(entry.trim())
    if (i === 0 && parsed.username !== undefined) {
      username = parsed.username
      password = parsed.password
    }
    if (!seen.has(parsed.node.url)) {
      seen.add(parsed.node.url)
      nodes.push(parsed.node)
    }
  })
  return { nodes, username, password }
}

/** A host of one DNS label without a port or scheme (`crate`). */
const BARE_LABEL = /^[a-z0-9-]+$/i

function parseOne(entry: string): { node: NodeAddress; username?: string; password?: string } {
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(entry)
  const shown = JSON.stringify(redactUrl(entry))
  let url: URL
  try {
    url = new URL(hasScheme ? entry : `http://${entry}`)
  } catch (err) {
    // Node's TypeError carries the whole input (password included) in `input`: it is not kept as the cause.
    const code = (err as { code?: unknown }).code
    throw new InvalidArgumentError(`Not a valid CrateDB server URL: ${shown}${typeof code === 'string' ? ` (${code})` : ''}`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidArgumentError(`CrateDB servers are http:// or https:// URLs, got ${shown}`)
  }
  if (!hasScheme && url.port === '') url.port = '4200'
  let username: string | undefined
  let password: string | undefined
  try {
    username = url.username !== '' ? decodeURIComponent(url.username) : undefined
    password = url.username !== '' || url.password !== '' ? decodeURIComponent(url.password) : undefined
  } catch {
    // Not the URIError as cause, and the user is masked too: a malformed user part may hold the password.
    const masked = JSON.stringify(`${url.protocol}//***@${url.host}${url.pathname === '/' ? '' : url.pathname}`)
    throw new InvalidArgumentError(`The user or password in CrateDB server URL ${masked} has a malformed %-escape; percent-encode them (encodeURIComponent)`)
  }
  const prefix = url.pathname.replace(/\/+$/, '')
  const origin = `${url.protocol}//${url.host}`
  return {
    node: { url: `${origin}${prefix}/`, origin, prefix, https: url.protocol === 'https:' },
    username,
    password,
  }
}
