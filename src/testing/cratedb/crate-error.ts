/**
 * HTTP status of each CrateDB error code family (crate/crate
 * `server/src/main/java/io/crate/rest/action/HttpErrorStatus.java`): the first three digits of the code
 * (`4091` → 409, `40411` → 404, `5030` → 503).
 */
export function httpStatusOfErrorCode(code: number): number {
  return Number(String(code).slice(0, 3))
}

/**
 * An error the local CrateDB server reports in CrateDB's envelope
 * (https://cratedb.com/docs/crate/reference/en/latest/interfaces/http.html#http-error-handling):
 * `{"error":{"message":"<exception>[<detail>]","code":<code>}}` with the HTTP status of the code's family.
 *
 * @example
 * const error = new CrateError('RelationUnknown', "Relation 'doc.t' unknown", 4041)
 * error.status // 404
 * error.crateMessage // "RelationUnknown[Relation 'doc.t' unknown]"
 */
export class CrateError extends Error {
  /** Java simple class name CrateDB would report, e.g. `'SQLParseException'`. */
  readonly exception: string
  /**
   * CrateDB error code (https://cratedb.com/docs/crate/reference/en/latest/interfaces/http.html#http-error-codes), e.g.
   * 4000, 4041, 5000.
   */
  readonly code: number
  /** HTTP status derived from `code`. */
  readonly status: number
  /** Extra lines for `error_trace` (e.g. the PostgreSQL error fields behind this error). */
  readonly trace: string | undefined

  constructor(exception: string, detail: string, code: number, options: { cause?: unknown; trace?: string } = {}) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause })
    this.exception = exception
    this.code = code
    this.status = httpStatusOfErrorCode(code)
    this.trace = options.trace
  }

  /** `<exception>[<detail>]`, the `error.message` CrateDB sends. */
  get crateMessage(): string {
    return `${this.exception}[${this.message}]`
  }

  /** A Java-like stack trace for `?error_trace`: the message line, then `\tat` frames of this server. */
  errorTrace(): string {
    const frames = (this.stack ?? '')
      .split('\n')
      .slice(1)
      .map((line) => `\t${line.trim()}`)
      .join('\n')
    const extra = this.trace === undefined ? '' : `\n\tCaused by: ${this.trace}`
    return `io.crate.exceptions.${this.exception}: ${this.message}\n${frames}${extra}`
  }
}

/** `SQLParseException` (400/4000): syntax errors, unsupported statements, casts that fail. */
export function parseError(detail: string, options?: { cause?: unknown; trace?: string }): CrateError {
  return new CrateError('SQLParseException', detail, 4000, options)
}

/** `UnsupportedFeatureException` (400/4004). */
export function unsupportedFeature(detail: string): CrateError {
  return new CrateError('UnsupportedFeatureException', detail, 4004)
}

/** `RelationUnknown` (404/4041) for `schema.table`. */
export function relationUnknown(qualifiedName: string): CrateError {
  return new CrateError('RelationUnknown', `Relation '${qualifiedName}' unknown`, 4041)
}

/** `SchemaUnknownException` (404/4045). */
export function schemaUnknown(schema: string): CrateError {
  return new CrateError('SchemaUnknownException', `Schema '${schema}' unknown`, 4045)
}

/**
 * The `ParsingException`-style syntax error CrateDB's grammar raises for a token it does not accept, e.g. ROLLBACK
 * (https://cratedb.com/docs/crate/reference/en/latest/appendices/compatibility.html#appendix-compat-transactions) or
 * `DELETE … RETURNING`: `ParsingException[line 1:<col>: mismatched input '<token>' expecting …]` (400/4000).
 */
export function mismatchedInput(sql: string, position: number, token: string, expecting: string): CrateError {
  const before = sql.slice(0, position)
  const line = before.split('\n').length
  const column = position - (before.lastIndexOf('\n') + 1) + 1
  return new CrateError('ParsingException', `line ${line}:${column}: mismatched input '${token}' expecting ${expecting}`, 4000)
}
