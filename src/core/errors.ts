/**
 * Shared error base for every dialectry driver.
 *
 * Each driver derives one base class from {@link DialectryError} (`TarantoolError`, `CrateDBError`, ...)
 * and names its failure modes with subclasses. Messages say what was sent and what to do; they never
 * contain credentials (see {@link redactUrl}).
 */
export interface DialectryErrorOptions {
  /** Machine-readable code: the server's numeric code where it has one, else a `SCREAMING_SNAKE` client code. */
  code: string | number
  /** `true` when sending the same request again may succeed (the request was not executed, or is idempotent). */
  retryable?: boolean
  /** The underlying error (socket error, server error stack, ...). */
  cause?: unknown
}

/** Base class of every error thrown by dialectry. `code`, `retryable` and `cause` are always present. */
export class DialectryError extends Error {
  readonly code: string | number
  readonly retryable: boolean

  constructor(message: string, options: DialectryErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = options.code
    this.retryable = options.retryable ?? false
  }

  override get name(): string {
    return this.constructor.name
  }
}

/**
 * Removes the password from a URL-like string so it can appear in messages and logs: everything between the
 * first `:` after the scheme and the last `@` is masked, whatever characters the password holds.
 * `tarantool://app:secret@host:3301` becomes `tarantool://app:***@host:3301`.
 */
export function redactUrl(url: string): string {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url)?.[0] ?? ''
  const rest = url.slice(scheme.length)
  const at = rest.lastIndexOf('@')
  if (at < 0) return url
  const auth = rest.slice(0, at)
  const colon = auth.indexOf(':')
  const user = colon >= 0 ? auth.slice(0, colon) : auth
  return `${scheme}${user}:***@${rest.slice(at + 1)}`
}

/**
 * The running Node.js is older than the oldest release dialectry supports (`engines.node` in its package.json).
 * Thrown when an entry point is imported, before any dependency that would fail less clearly (undici 8 needs
 * Node 22.19 and crashes on older releases with `Cannot read properties of undefined (reading 'bind')`).
 * `code` is `'UNSUPPORTED_NODE_VERSION'`; never retryable.
 */
export class UnsupportedNodeVersionError extends DialectryError {
  /** The version that was found, e.g. `'20.20.2'`. */
  readonly found: string
  /** The oldest supported version, e.g. `'22.19.0'`. */
  readonly required: string

  constructor(found: string, required: string) {
    super(`dialectry needs Node.js ${required} or newer; this is Node.js ${found}. Upgrade Node.js (https://nodejs.org/en/download).`, {
      code: 'UNSUPPORTED_NODE_VERSION',
    })
    this.found = found
    this.required = required
  }
}
