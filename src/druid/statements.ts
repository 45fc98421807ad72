import { sleep } from '../core/abort.ts'
import { createSplitter } from './body-splitter.ts'
import type { DecodeOptions, DruidColumn } from './column-types.ts'
import { DruidError, DruidQueryError, TruncatedResultError } from './errors.ts'
import type { DruidHttpService, RestCallOptions } from './http-service.ts'
import { ResultDecoder, type RowMode } from './result-decoder.ts'
import { inferParameter, jsonText } from './sql-parameters.ts'

/** A statement's state (`ACCEPTED`, `RUNNING`, `SUCCESS`, `FAILED`) and, once done, its result pages. */
export interface StatementStatus {
  queryId: string
  state: 'ACCEPTED' | 'RUNNING' | 'SUCCESS' | 'FAILED'
  createdAt: string
  durationMs: number
  /** Result columns: `type` is the SQL type, `nativeType` Druid's. */
  schema?: { name: string; type: string; nativeType: string }[]
  result?: { numTotalRows: number; totalSizeInBytes: number; dataSource: string; pages: { id: number; numRows: number; sizeInBytes: number }[] }
  /** The error of a FAILED query. */
  errorDetails?: Record<string, unknown>
}

/** Options of {@link DruidStatements.run}. */
export interface StatementRunOptions extends DecodeOptions {
  context?: Record<string, unknown>
  rowMode?: RowMode
  /** Ms between status polls. Default 500. */
  pollInterval?: number
  signal?: AbortSignal
}

/**
 * The asynchronous statements API (`/druid/v2/sql/statements`,
 * https://druid.apache.org/docs/latest/api-reference/sql-api#query-from-deep-storage): submit, poll, read paged
 * results, cancel. Results are decoded with the statement's schema (TIMESTAMP columns come as epoch millis here
 * and become `Date`).
 */
export class DruidStatements {
  readonly #rest: DruidHttpService
  readonly #context: Record<string, unknown>

  constructor(rest: DruidHttpService, context: Record<string, unknown> = {}) {
    this.#rest = rest
    this.#context = context
  }

  /** `POST /druid/v2/sql/statements`: submits a query (context `executionMode: "ASYNC"`). */
  async submit(sql: string, parameters: readonly unknown[] = [], context: Record<string, unknown> = {}, options?: RestCallOptions): Promise<StatementStatus> {
    const params = parameters.map((v, i) => inferParameter(v, i))
    const body = `{"query":${JSON.stringify(sql)},"context":${jsonText({ executionMode: 'ASYNC', ...this.#context, ...context })}${params.length > 0 ? `,"parameters":${jsonText(params)}` : ''}}`
    return this.#rest.post<StatementStatus>('/druid/v2/sql/statements', [], body, options)
  }

  /** `GET /druid/v2/sql/statements/{id}`. */
  status(queryId: string, options?: RestCallOptions): Promise<StatementStatus> {
    return this.#rest.get<StatementStatus>('/druid/v2/sql/statements/{}', [queryId], options)
  }

  /**
   * `GET /druid/v2/sql/statements/{id}/results?page=` in `objectLines`, decoded by `schema` (from {@link status}).
   * Without `page`, all pages.
   */
  async results<Row = Record<string, unknown>>(queryId: string, schema: StatementStatus['schema'], page?: number, options: RestCallOptions & DecodeOptions & { rowMode?: RowMode } = {}): Promise<Row[]> {
    const answer = await this.#rest.call('GET', `/druid/v2/sql/statements/${encodeURIComponent(queryId)}/results`, undefined, { ...options, query: { page, resultFormat: 'arrayLines' } })
    const columns: DruidColumn[] = (schema ?? []).map((c) => ({ name: c.name, sqlType: c.type, nativeType: c.nativeType }))
    const splitter = createSplitter('arrayLines')
    const text = answer.body.toString('utf8')
    const batch = splitter.push(text)
    // Seed the decoder with the schema as header rows.
    const seeded = new ResultDecoder('arrayLines', { header: true, typesHeader: true, sqlTypesHeader: true, included: true }, options.rowMode ?? 'object', options)
    seeded.decode({ rows: [columns.map((c) => c.name), columns.map((c) => c.nativeType ?? ''), columns.map((c) => c.sqlType ?? '')], json: undefined })
    const rows = seeded.decode(batch) as Row[]
    if (!splitter.complete && text !== '') throw new TruncatedResultError(`GET results of statement ${queryId}: the body ended without its terminator`, rows.length, { code: 'TRUNCATED_RESULT', url: this.#rest.url })
    return rows
  }

  /** `DELETE /druid/v2/sql/statements/{id}`: `true` when accepted (202), `false` when not cancellable (200, finished). */
  async cancel(queryId: string, options?: RestCallOptions): Promise<boolean> {
    return (await this.#rest.call('DELETE', `/druid/v2/sql/statements/${encodeURIComponent(queryId)}`, undefined, options)).status === 202
  }

  /**
   * Submits, polls until SUCCESS or FAILED, and reads every page.
   * @throws DruidQueryError when the statement FAILED (its `errorDetails` as the envelope).
   */
  async run<Row = Record<string, unknown>>(sql: string, parameters: readonly unknown[] = [], options: StatementRunOptions = {}): Promise<{ status: StatementStatus; rows: Row[] }> {
    const signalOption = options.signal !== undefined ? { signal: options.signal } : {}
    let status = await this.submit(sql, parameters, options.context, signalOption)
    while (status.state === 'ACCEPTED' || status.state === 'RUNNING') {
      await sleep(options.pollInterval ?? 500, options.signal)
      status = await this.status(status.queryId, signalOption)
    }
    if (status.state === 'FAILED') {
      const e = status.errorDetails ?? {}
      throw new DruidQueryError(`Statement ${status.queryId}`, {
        category: (String(e['category'] ?? 'UNCATEGORIZED') as never),
        errorCode: String(e['errorCode'] ?? 'general'),
        legacyCode: undefined,
        persona: e['persona'] as string | undefined,
        errorMessage: String(e['errorMessage'] ?? 'the statement failed'),
        errorClass: undefined,
        host: undefined,
        context: (e['context'] ?? {}) as Record<string, string>,
      }, { url: this.#rest.url })
    }
    if (status.state !== 'SUCCESS') throw new DruidError(`Statement ${status.queryId} ended in state ${String(status.state)}`, { code: 'BAD_STATE' })
    const rows = await this.results<Row>(status.queryId, status.schema, undefined, { ...signalOption, ...(options.rowMode !== undefined ? { rowMode: options.rowMode } : {}) })
    return { status, rows }
  }
}
