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
 * Parses the `servers` argument (spec §2.1): one URL, a whitespace-separated list of URLs, or an array.
 * `host:port` without a scheme means `http://`; a bare host without scheme or port means port 4200. A URL
 * path is kept as a prefix for every request. The user info of the **first** URL (`http://user:pass@host`)
 * is returned separately so it becomes the default credentials; the node URLs never contain credentials.
 *
 * @throws InvalidArgumentError for an empty list, a non-string entry, or a URL that is not http(s).
 */
export function parseServers(servers: string | readonly string[] | undefined): { nodes: NodeAddress[]; username?: string; password?: string } {
  const list = servers === undefined ? [DEFAULT_SERVER] : typeof servers === 'string' ? servers.trim().split(/\s+/).filter(Boolean) : [...servers]
  if (list.length === 0) throw new InvalidArgumentError('No CrateDB server given: pass a URL such as http://localhost:4200/')
  const nodes: NodeAddress[] = []
  let username: string | undefined
  let password: string | undefined
  const seen = new Set<string>()
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

function parseOne(entry: string): { node: NodeAddress; username?: string; password?: string } {
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(entry)
  let url: URL
  try {
    url = new URL(hasScheme ? entry : `http://${entry}`)
  } catch (err) {
    throw new InvalidArgumentError(`Not a valid CrateDB server URL: ${JSON.stringify(redactUrl(entry))}`, err)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidArgumentError(`CrateDB servers are http:// or https:// URLs, got ${JSON.stringify(redactUrl(entry))}`)
  }
  if (!hasScheme && url.port === '') url.port = '4200'
  const username = url.username !== '' ? decodeURIComponent(url.username) : undefined
  const password = url.username !== '' || url.password !== '' ? decodeURIComponent(url.password) : undefined
  const prefix = url.pathname.replace(/\/+$/, '')
  const origin = `${url.protocol}//${url.host}`
  return {
    node: { url: `${origin}${prefix}/`, origin, prefix, https: url.protocol === 'https:' },
    username,
    password,
  }
}
