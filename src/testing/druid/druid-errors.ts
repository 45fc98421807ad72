/**
 * Druid's two error envelopes (apache/druid `processing/src/main/java/org/apache/druid/error/ErrorResponse.java`,
 * `query/QueryException.java`; https://druid.apache.org/docs/latest/api-reference/sql-api#responses).
 */
export interface ServerError {
  status: number
  body: Record<string, unknown>
}

/** The DruidException shape: `{error:"druidException", errorCode, persona, category, errorMessage, context}`. */
export function druidException(status: number, category: string, errorCode: string, errorMessage: string, context: Record<string, string> = {}, persona = 'USER'): ServerError {
  return { status, body: { error: 'druidException', errorCode, persona, category, errorMessage, context } }
}

/** A legacy QueryException wrapped as Druid 27+ does (errorCode `legacyQueryException`, old fields kept). */
export function legacyError(status: number, category: string, legacyCode: string, errorMessage: string, errorClass: string, persona = 'OPERATOR'): ServerError {
  return {
    status,
    body: {
      error: legacyCode,
      errorCode: 'legacyQueryException',
      persona,
      category,
      errorMessage,
      errorClass,
      host: null,
      context: { host: 'localhost', errorClass, legacyErrorCode: legacyCode },
    },
  }
}

/** An invalid-input error from SQL validation, with the line/column context Druid adds. */
export function invalidInput(message: string, line?: number, column?: number): ServerError {
  const context: Record<string, string> = { sourceType: 'sql' }
  if (line !== undefined) context['line'] = String(line)
  if (column !== undefined) context['column'] = String(column)
  return druidException(400, 'INVALID_INPUT', 'invalidInput', message, context)
}

/** Maps a DuckDB error to what Druid answers for the same kind of failure. */
export function fromEngineError(err: unknown): ServerError {
  const message = err instanceof Error ? err.message : String(err)
  const first = message.split('\n')[0] ?? message
  const lineCol = /LINE (\d+):/.exec(message)
  const line = lineCol !== null ? Number(lineCol[1]) : undefined
  const missing = /Table with name (\S+) does not exist/.exec(first)
  if (missing !== null) return invalidInput(`Object '${missing[1]}' not found`, line)
  const column = /Referenced column "?([^"\s]+)"? not found/.exec(first)
  if (column !== null) return invalidInput(`Column '${column[1]}' not found in any table`, line)
  if (/^(Parser|Binder|Catalog|Conversion|Invalid Input) Error/.test(first)) return invalidInput(first.replace(/^[A-Za-z ]+ Error: /, ''), line)
  if (/INTERRUPT/i.test(first)) return legacyError(500, 'CANCELED', 'Query cancelled', 'Query cancelled', 'org.apache.druid.query.QueryInterruptedException')
  return druidException(500, 'UNCATEGORIZED', 'general', first.replace(/^[A-Za-z ]+ Error: /, ''), {}, 'ADMIN')
}
