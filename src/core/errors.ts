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
 * Removes the password (and any user info) from a URL-like string so it can appear in messages and logs.
 * `tarantool://app:secret@host:3301` becomes `tarantool://app:***@host:3301`.
 */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)?([^:@/]+):([^@/]*)@/i, (_m, scheme: string | undefined, user: string) => `${scheme ?? ''}${user}:***@`)
}
