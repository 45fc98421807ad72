import { randomUUID } from 'node:crypto'
import { sleep } from '../core/abort.ts'
import type { ResultFormat } from './body-splitter.ts'
import type { DecodeOptions, DruidColumn } from './column-types.ts'
import { DruidInvalidArgumentError, DruidTaskFailedError } from './errors.ts'
import { DruidHttpService, type RestCallOptions } from './http-service.ts'
import { DEFAULT_MAX_RESPONSE_SIZE, type DruidOptions, type QueryOptions } from './options.ts'
import { inferParameter, jsonText } from './sql-parameters.ts'
import { DruidRowStream, type SqlRequestPlan } from './sql-stream.ts'
import { DefaultMapper, type ServiceMapper } from './url-mapper.ts'
import { DruidCluster } from './cluster.ts'
import { DruidStatements } from './statements.ts'
import type { NativeQuery, NativeResult } from './native-query.ts'

/** A buffered SQL result. */
export interface DruidSqlResult<Row = Record<string, unknown>> {
  /** Columns from the header rows (names, Druid and SQL types). */
  columns: DruidColumn[]
  rows: Row[]
  /** The query id the server ran it under. */
  sqlQueryId: string
}

/** Status of an Overlord task (`GET /druid/indexer/v1/task/{id}/status` → `status`). */
export interface TaskStatus {
  id: string
  type?: string
  statusCode: 'RUNNING' | 'SUCCESS' | 'FAILED' | string
  runnerStatusCode?: string
  duration?: number
  dataSource?: string
  errorMsg?: string | null
  [key: string]: unknown
}

/** Options of {@link DruidClient.ingest}. */
export interface IngestOptions {
  context?: Record<string, unknown>
  /** Called after each poll with the task status. */
  onProgress?: (status: TaskStatus) => void
  /** Ms between polls of the Overlord. Default 500. */
  pollInterval?: number
  /** Limit in ms for the whole task (0: none). Default 0. */
  timeout?: number
  signal?: AbortSignal
}

/**
 * A client for a Druid Router or Broker: SQL over HTTP (https://druid.apache.org/docs/latest/api-reference/sql-api),
 * SQL-based ingestion (https://druid.apache.org/docs/latest/api-reference/sql-ingestion-api), native JSON queries
 * (https://druid.apache.org/docs/latest/querying/querying) and a raw REST layer (`rest`). Make one with
 * {@link connect}.
 */
export class DruidClient {
  /** The Router/Broker URL without credentials. */
  readonly url: string
  /** Raw REST layer on the same service (`get`/`post`/`delete` with `{}` path templates and typed errors). */
  readonly rest: DruidHttpService
  /** Maps advertised service addresses to URLs (cluster model). */
  readonly mapper: ServiceMapper
  readonly preferTls: boolean
  /** The asynchronous statements API (`/druid/v2/sql/statements`): `submit`, `status`, `results`, `cancel`, `run`. */
  readonly statements: DruidStatements
  readonly #options: DruidOptions
  readonly #maxResponseSize: number

  constructor(url: string, options: DruidOptions = {}) {
    const max = options.maxResponseSize ?? DEFAULT_MAX_RESPONSE_SIZE
    if (!Number.isSafeInteger(max) || max < 1) throw new DruidInvalidArgumentError(`maxResponseSize must be a whole number of bytes >= 1, got ${max}`, { code: 'INVALID_ARGUMENT' })
    this.#maxResponseSize = max
    this.#options = options
    this.rest = new DruidHttpService(url, { ...options, maxResponseSize: max })
    this.url = this.rest.url
    this.mapper = options.mapper ?? new DefaultMapper()
    this.preferTls = options.preferTls ?? false
    this.statements = new DruidStatements(this.rest, options.context)
  }

  /** The options this client was made with. */
  get options(): Readonly<DruidOptions> {
    return this.#options
  }

  #plan(sql: string, parameters: readonly unknown[], options: QueryOptions, format: ResultFormat, maxBytes: number | undefined): SqlRequestPlan {
    const sqlQueryId = options.sqlQueryId ?? randomUUID()
    const timeout = options.timeout ?? this.#options.timeout ?? 0
    const context: Record<string, unknown> = { ...this.#options.context, ...options.context, sqlQueryId }
    if (timeout > 0 && context['timeout'] === undefined) context['timeout'] = timeout
    const header = options.header ?? true
    const typesHeader = header && (options.typesHeader ?? true)
    const sqlTypesHeader = header && (options.sqlTypesHeader ?? true)
    const params = parameters.map((v, i) => inferParameter(v, i))
    const body =
      `{"query":${JSON.stringify(sql)},"resultFormat":${JSON.stringify(format)},"header":${header},"typesHeader":${typesHeader},` +
      `"sqlTypesHeader":${sqlTypesHeader},"context":${jsonText(context)}${params.length > 0 ? `,"parameters":${jsonText(params)}` : ''}}`
    const decode: DecodeOptions = {}
    const bigint = options.bigint ?? this.#options.bigint
    const timestamp = options.timestamp ?? this.#options.timestamp
    if (bigint !== undefined) decode.bigint = bigint
    if (timestamp !== undefined) decode.timestamp = timestamp
    return {
      service: this.rest,
      body,
      sqlQueryId,
      format,
      expect: { header, typesHeader, sqlTypesHeader },
      rowMode: options.rowMode ?? this.#options.rowMode ?? 'object',
      decode,
      timeout,
      signal: options.signal,
      maxBytes,
      cancel: (id) => this.cancel(id, { timeout: 5000 }).catch(() => false),
    }
  }

  /**
   * Runs one SQL statement (`POST /druid/v2/sql`) and returns all rows, typed by the SQL type header. `?`
   * placeholders are bound from `parameters` (see `inferParameter` for the JS → SQL type table). The answer is
   * buffered up to `maxResponseSize`; use {@link stream} for large results.
   *
   * @throws DruidQueryError (category, errorCode, errorMessage) when Druid rejects or fails the query;
   *   TruncatedResultError when the body is cut before its terminator; ResponseTooLargeError;
   *   DruidTimeoutError / DruidAbortedError (the query is cancelled on the server); DruidConnectionError;
   *   DruidAuthError; DruidInvalidArgumentError for a parameter Druid cannot bind.
   * @example
   * const { rows } = await client.query('SELECT channel, COUNT(*) AS n FROM wikipedia WHERE __time >= ? GROUP BY 1', [new Date('2016-06-27')])
   */
  async query<Row = Record<string, unknown>>(sql: string, parameters: readonly unknown[] = [], options: QueryOptions = {}): Promise<DruidSqlResult<Row>> {
    const stream = new DruidRowStream<Row>(this.#plan(sql, parameters, options, options.resultFormat ?? 'array', this.#maxResponseSize))
    const rows: Row[] = []
    for await (const batch of stream.batches()) for (const row of batch) rows.push(row)
    return { columns: stream.columns ?? [], rows, sqlQueryId: stream.sqlQueryId }
  }

  /**
   * Streams the rows of one SQL statement as they arrive (default format `arrayLines`), with bounded memory. The
   * request is sent when iteration starts. Breaking out of the loop cancels the query on the server.
   *
   * @example
   * for await (const row of client.stream('SELECT * FROM flights')) console.log(row)
   */
  stream<Row = Record<string, unknown>>(sql: string, parameters: readonly unknown[] = [], options: QueryOptions = {}): DruidRowStream<Row> {
    return new DruidRowStream<Row>(this.#plan(sql, parameters, options, options.resultFormat ?? 'arrayLines', undefined))
  }

  /**
   * Cancels a running SQL query (`DELETE /druid/v2/sql/{sqlQueryId}`). Returns `true` when the server accepted
   * (202), `false` when it knows no such query (404: unknown or already finished).
   *
   * @throws DruidAuthError (403) when the user may not cancel it; DruidConnectionError.
   */
  async cancel(sqlQueryId: string, options: RestCallOptions = {}): Promise<boolean> {
    const answer = await this.rest.call('DELETE', `/druid/v2/sql/${encodeURIComponent(sqlQueryId)}`, undefined, { ...options, accept: [404] })
    return answer.status === 202 || answer.status === 200
  }

  /**
   * Sends a native JSON query (`POST /druid/v2/`; https://druid.apache.org/docs/latest/querying/querying) and
   * returns Druid's JSON answer, typed by `queryType` (timeseries, topN, groupBy, scan, timeBoundary,
   * segmentMetadata; see `native-query.ts`).
   *
   * @example
   * const rows = await client.nativeQuery({ queryType: 'timeseries', dataSource: 'flights', intervals: ['2001-01-01/2001-02-01'], granularity: 'day', aggregations: [{ type: 'count', name: 'n' }] })
   */
  async nativeQuery<Q extends NativeQuery>(query: Q, options: RestCallOptions = {}): Promise<NativeResult<Q>> {
    return this.rest.post<NativeResult<Q>>('/druid/v2/', [], query, options)
  }

  /**
   * Runs SQL-based ingestion (`INSERT`/`REPLACE ... PARTITIONED BY`) as a task: `POST /druid/v2/sql/task`, then
   * polls `GET /druid/indexer/v1/task/{id}/status` (through the Router's management proxy) until SUCCESS or
   * FAILED, reporting each status to `onProgress`.
   *
   * @returns the final task status.
   * @throws DruidTaskFailedError when the task ends FAILED; DruidQueryError when the statement is rejected.
   * @example
   * await client.ingest(`INSERT INTO flights SELECT TIME_PARSE("date") AS __time, * FROM TABLE(EXTERN(...)) PARTITIONED BY DAY`)
   */
  async ingest(sql: string, parameters: readonly unknown[] = [], options: IngestOptions = {}): Promise<TaskStatus> {
    const params = parameters.map((v, i) => inferParameter(v, i))
    const body = `{"query":${JSON.stringify(sql)},"context":${jsonText({ ...this.#options.context, ...options.context })}${params.length > 0 ? `,"parameters":${jsonText(params)}` : ''}}`
    const submitted = await this.rest.post<{ taskId: string; state: string }>('/druid/v2/sql/task', [], body, { ...(options.signal !== undefined ? { signal: options.signal } : {}) })
    const taskId = submitted.taskId
    const deadline = options.timeout !== undefined && options.timeout > 0 ? Date.now() + options.timeout : Infinity
    for (;;) {
      const answer = await this.rest.call('GET', `/druid/indexer/v1/task/${encodeURIComponent(taskId)}/status`, undefined, { accept: [404], ...(options.signal !== undefined ? { signal: options.signal } : {}) })
      if (answer.status === 200) {
        const status = (JSON.parse(answer.body.toString('utf8')) as { status: TaskStatus }).status
        options.onProgress?.(status)
        if (status.statusCode === 'SUCCESS') return status
        if (status.statusCode === 'FAILED') {
          throw new DruidTaskFailedError(`Ingestion task ${taskId} FAILED: ${status.errorMsg ?? 'no message'}; see GET /druid/indexer/v1/task/${taskId}/reports`, taskId, status.errorMsg ?? undefined, { code: 'TASK_FAILED', url: this.url })
        }
      }
      if (Date.now() > deadline) {
        throw new DruidTaskFailedError(`Ingestion task ${taskId} did not finish within ${options.timeout} ms; it is still running on the Overlord`, taskId, undefined, { code: 'TASK_TIMEOUT', url: this.url })
      }
      await sleep(options.pollInterval ?? 500, options.signal)
    }
  }

  /**
   * The cluster model from `sys.servers` (needs STATE READ permission): `services()`, `coordinator()`,
   * `overlord()`, `broker()`, `router()`, `whatIs(url)`, `service(url)`.
   *
   * @example
   * const cluster = await client.cluster()
   * console.log(cluster.services().map((s) => `${s.url} ${s.roles.join('+')}`))
   * await cluster.coordinator().loadStatus()
   */
  async cluster(): Promise<DruidCluster> {
    return new DruidCluster(this).refresh()
  }

  /** Closes the client's connections (bounded). */
  async close(): Promise<void> {
    await this.rest.close()
  }
}

/**
 * Connects to a Druid Router or Broker. Nothing is sent until the first call.
 *
 * @param url default `http://localhost:8888` (the Router); credentials in the URL are used for Basic auth.
 * @throws DruidInvalidArgumentError for a URL that is not http(s), or a bad option; DialectryError
 *   `INVALID_ARGUMENT` when `tlsCert` cannot be read.
 * @example
 * import { connect } from 'dialectry/druid'
 * const client = connect('http://localhost:8888', { username: 'admin', password: 'secret', timeout: 30_000 })
 * const { rows } = await client.query('SELECT COUNT(*) AS n FROM wikipedia')
 * await client.close()
 */
export function connect(url = 'http://localhost:8888', options: DruidOptions = {}): DruidClient {
  return new DruidClient(url, options)
}
