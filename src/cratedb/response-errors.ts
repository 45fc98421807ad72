import {
  AuthenticationError,
  CrateDBError,
  DatabaseError,
  IntegrityError,
  NotSupportedError,
  ProgrammingError,
} from './errors.ts'

/**
 * CrateDB error codes (https://cratedb.com/docs/crate/reference/en/latest/interfaces/http.html#http-error-codes) that
 * say the request was not executed and may succeed later.
 */
const RETRYABLE_CODES = new Set([4290, 5002, 5030, 5031, 5032, 5033, 5034, 5035])

/** Duplicate primary key (https://cratedb.com/docs/crate/reference/en/latest/interfaces/http.html#http-error-codes). */
export const DUPLICATE_KEY_CODE = 4091

/**
 * Feature not supported (yet), UnsupportedFeatureException
 * (https://cratedb.com/docs/crate/reference/en/latest/interfaces/http.html#http-error-codes).
 */
const NOT_SUPPORTED_CODE = 4004

/** `true` for a body that looks like JSON (CrateDB errors always are; proxies and the auth layer send text). */
function looksLikeJson(body: Buffer): boolean {
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue
    return c === 0x7b // '{'
  }
  return false
}

/** First line of a text body, trimmed and cut to 300 characters. */
function textExcerpt(body: Buffer): string {
  const text = body.subarray(0, 2048).toString('utf8').trim()
  const line = text.split(/\r?\n/, 1)[0] ?? ''
  return line.length > 300 ? `${line.slice(0, 300)}...` : line
}

/**
 * Builds the error for a non-2xx response
 * (https://cratedb.com/docs/crate/reference/en/latest/interfaces/http.html#http-error-handling; crate-python:
 * `_raise_for_status` in crate/crate-python `src/crate/client/http.py`): the JSON envelope
 * `{"error": {"message", "code"}, "error_trace"?}` maps by code family to {@link ProgrammingError} (4xxx),
 * {@link IntegrityError} (4091, or `DuplicateKeyException` in the text) and {@link DatabaseError} (5xxx);
 * a non-JSON body (401 text from the auth layer, 429 empty, proxy pages) keeps the HTTP status as code
 * `HTTP_<status>`.
 *
 * @param status HTTP status code.
 * @param body Raw response body.
 * @param node Node URL without credentials, for the message.
 * @param what What was sent, e.g. `POST /_sql`, for messages about non-JSON bodies.
 */
export function errorFromResponse(status: number, statusText: string, body: Buffer, node: string, what: string): CrateDBError {
  if (looksLikeJson(body)) {
    let parsed: unknown
    try {
      parsed = JSON.parse(body.toString('utf8'))
    } catch {
      parsed = undefined
    }
    if (parsed !== null && typeof parsed === 'object') {
      const envelope = parsed as { error?: unknown; error_trace?: unknown }
      const trace = typeof envelope.error_trace === 'string' ? envelope.error_trace : undefined
      const err = envelope.error
      if (err !== null && typeof err === 'object') {
        const { message, code } = err as { message?: unknown; code?: unknown }
        return databaseError(typeof message === 'string' ? message : JSON.stringify(err), typeof code === 'number' ? code : undefined, status, node, trace)
      }
      if (typeof err === 'string') return databaseError(err, undefined, status, node, trace)
    }
  }
  const excerpt = textExcerpt(body)
  const detail = `${what} to ${node} answered HTTP ${status}${statusText ? ` ${statusText}` : ''}${excerpt ? `: ${excerpt}` : ''}`
  const options = { code: `HTTP_${status}`, httpStatus: status, node, retryable: status === 429 || status === 503 }
  if (status === 401) {
    return new AuthenticationError(`${detail}. Check username/password or jwtToken, and the server's auth.host_based settings`, options)
  }
  if (status >= 400 && status < 500) return new ProgrammingError(detail, options)
  return new DatabaseError(detail, options)
}

function databaseError(message: string, code: number | undefined, status: number, node: string, errorTrace: string | undefined): DatabaseError {
  const options = {
    code: code ?? `HTTP_${status}`,
    httpStatus: status,
    node,
    errorTrace,
    retryable: code !== undefined && RETRYABLE_CODES.has(code),
  }
  if (code === DUPLICATE_KEY_CODE || message.includes('DuplicateKeyException')) return new IntegrityError(message, options)
  if (code === NOT_SUPPORTED_CODE) return new NotSupportedError(message, options)
  const family = code !== undefined ? familyOf(code) : status
  if (family >= 400 && family < 500) return new ProgrammingError(message, options)
  return new DatabaseError(message, options)
}

/** HTTP status family of a CrateDB code: 4091 → 409, 40411 → 404, 5030 → 503. */
export function familyOf(code: number): number {
  let c = code
  while (c >= 1000) c = Math.trunc(c / 10)
  return c
}
