import { decodeChunk, type E6dataValue } from './chunk-decoder.ts'
import type { Connection, Session } from './connection.ts'
import { E6dataError } from './errors.ts'
import { bindParameters, type E6dataParameter } from './parameter-binding.ts'
import { decodeResultMetadata, type ColumnDescription } from './result-metadata.ts'
import type { Strategy } from './strategy-state.ts'

/** A result row: one value per column, in `description` order. */
export type Row = E6dataValue[]

/** Options of {@link Connection.cursor}. */
export interface CursorOptions {
  /** Catalog of this cursor's queries; default the connection's. */
  catalog?: string
  /** Database of this cursor's queries; default the connection's. */
  database?: string
}

/** Per-statement options of {@link Cursor.execute}. */
export interface ExecuteOptions {
  /** Aborting cancels the query on the engine (`cancelQuery`) and rejects with E6dataCancelledError. */
  signal?: AbortSignal
}

/** The answer of {@link Cursor.explainAnalyse}. */
export interface ExplainAnalysis {
  /** The engine served the result from its cache. */
  isCached: boolean
  /** Parsing time, ms (`parsingTime`). */
  parsingTime: number
  /** Queueing time, ms (`queueingTime`). */
  queueingTime: number
  /** The planner's JSON text, as sent. */
  planner: string
  /** `planner` parsed, or `undefined` when it is not JSON. */
  plan: Record<string, unknown> | undefined
  /** `total_query_time` from the planner JSON, ms, when present. */
  totalQueryTime: number | undefined
}

/** Column description in the DB-API shape the connector returns: name, type_code, then 4 unknowns and `nullOk`. */
export type DescriptionTuple = [name: string, typeCode: string, displaySize: null, internalSize: null, precision: null, scale: null, nullOk: true]

interface QueryState {
  queryId: string
  engineIp: string
  session: Session
  strategy: Strategy | undefined
}

/**
 * A cursor: runs one statement at a time and pages its result, as e6data/e6data-python-connector
 * `e6data_python_connector/e6data_grpc.py` `Cursor` does, in TypeScript idiom and without its quirks
 * (`fetchOne` returns the row, `description` follows the current query, a new `execute` clears the previous
 * query on the engine, a result is never copied whole unless `fetchAll` asks for it).
 *
 * Flow of {@link execute}: `prepareStatement` (or `prepareStatementV2` with a catalog) → `executeStatement(V2)` →
 * `getResultMetadata`; later calls for the query carry its `engineIP` in the body and `plannerip` header and keep
 * the blue-green colour and session they started with.
 *
 * @example
 * const cursor = conn.cursor({ catalog: 'hive', database: 'flights' })
 * const queryId = await cursor.execute('SELECT origin, count(*) AS n FROM flights WHERE delay > %s GROUP BY origin', [15])
 * for await (const batch of cursor.fetchAllBuffer()) console.log(batch.length)
 * await cursor.close()
 */
export class Cursor {
  readonly connection: Connection
  /** Catalog of this cursor's queries (`undefined`: V1 RPCs without catalog). */
  catalog: string | undefined
  /** Database (`schema`) of this cursor's queries. */
  database: string
  /** Rows {@link fetchMany} returns when called without a size. Default 1 000. */
  arraySize = 1000
  #query: QueryState | undefined
  #columns: ColumnDescription[] | undefined
  #rowCount = -1
  /** Rows of the current result received so far. */
  #received = 0
  #buffer: Row[] = []
  #bufferPos = 0
  #done = false

  constructor(connection: Connection, options: CursorOptions = {}) {
    this.connection = connection
    this.catalog = options.catalog ?? connection.catalog
    this.database = options.database ?? connection.database
  }

  /** Id of the current query (engine-generated), or `undefined` before the first execute. */
  get queryId(): string | undefined {
    return this.#query?.queryId
  }
  /** The planner the current query runs on (`engineIP`). */
  get engineIp(): string | undefined {
    return this.#query?.engineIp
  }
  /**
   * Rows of the current result: the count the engine's result metadata announced after execute (the connector's
   * `rowcount`, e6data/e6data-python-connector `e6data_grpc.py`). An engine that announced -1 (still counting)
   * gets the number of rows received once the result was read to the end; -1 before a query.
   */
  get rowCount(): number {
    return this.#rowCount
  }
  /** Columns of the current result (name, engine type name, zone, format); `undefined` before a query. */
  get columns(): ColumnDescription[] | undefined {
    return this.#columns
  }
  /** DB-API style 7-tuples of the current result's columns (name, type_code, null×4, true). */
  get description(): DescriptionTuple[] | undefined {
    return this.#columns?.map((c) => [c.name, c.typeCode, null, null, null, null, true])
  }

  /**
   * Runs a statement and returns its query id once the engine can describe the result (`getResultMetadata`).
   * One trailing `;` and surrounding whitespace are removed. With `params`, `%s` / `%(name)s` placeholders are
   * bound client-side (see `bindParameters`); without, `%` is sent as is. A previous query of this cursor is
   * cleared first. Retried across an expired session and a blue-green switch (up to `maxRetryAttempts`).
   *
   * @throws E6dataQueryError with the engine's message; E6dataCancelledError when `signal` fires;
   *   E6dataError `INVALID_PARAMETER` for unbindable parameters.
   */
  async execute(sql: string, params?: readonly E6dataParameter[] | Readonly<Record<string, E6dataParameter>>, options: ExecuteOptions = {}): Promise<string> {
    let text = sql.trim()
    if (text.endsWith(';')) text = text.slice(0, -1).trimEnd()
    if (params !== undefined && params !== null) text = bindParameters(text, params)
    await this.clear().catch(() => {})
    const conn = this.connection
    const catalog = this.catalog
    const signal = options.signal
    const state = await conn.withSession(async (session) => {
      const strategy = conn.strategyState.active ?? session.strategy
      const prep =
        catalog === undefined
          ? await conn.call<{ engineIP: string; queryId: string }>('prepareStatement', { sessionId: session.id, schema: this.database, queryString: text }, { strategy, signal })
          : await conn.call<{ engineIP: string; queryId: string }>(
              'prepareStatementV2',
              { sessionId: session.id, schema: this.database, catalog, queryString: text },
              { strategy, signal, timeout: conn.options.prepareTimeout },
            )
      const q: QueryState = { queryId: prep.queryId, engineIp: prep.engineIP, session, strategy }
      if (strategy !== undefined) conn.strategyState.register(q.queryId, strategy)
      const body = { engineIP: q.engineIp, sessionId: session.id, queryId: q.queryId }
      const onAbort = (): void => void conn.call('cancelQuery', body, { plannerIp: q.engineIp, strategy }).catch(() => {})
      signal?.addEventListener('abort', onAbort, { once: true })
      try {
        await conn.call(catalog === undefined ? 'executeStatement' : 'executeStatementV2', body, { plannerIp: q.engineIp, strategy, signal })
        const md = await conn.call<{ resultMetaData: Buffer }>('getResultMetadata', body, { plannerIp: q.engineIp, strategy, signal })
        const meta = decodeResultMetadata(md.resultMetaData)
        this.#columns = meta.columns
        this.#rowCount = meta.rowCount
      } catch (err) {
        conn.strategyState.unregister(q.queryId)
        throw err
      } finally {
        signal?.removeEventListener('abort', onAbort)
      }
      return q
    }, signal)
    this.#query = state
    this.#received = 0
    this.#buffer = []
    this.#bufferPos = 0
    this.#done = false
    return state.queryId
  }

  #require(): QueryState {
    if (this.#query === undefined) throw new E6dataError('No query on this cursor: call execute() first', { code: 'NO_QUERY' })
    return this.#query
  }

  #queryCall<T>(rpc: string, q: QueryState, signal?: AbortSignal): Promise<T> {
    return this.connection.call<T>(rpc, { engineIP: q.engineIp, sessionId: q.session.id, queryId: q.queryId }, {
      plannerIp: q.engineIp,
      strategy: this.connection.strategyState.strategyFor(q.queryId) ?? q.strategy,
      signal,
    })
  }

  /**
   * The next batch as the engine sized it (`getNextResultBatch`), or `null` at the end of the result (an empty
   * batch or a chunk of size 0; later calls keep returning `null`).
   * @throws E6dataProtocolError for a malformed chunk.
   */
  async fetchBatch(signal?: AbortSignal): Promise<Row[] | null> {
    const q = this.#require()
    if (this.#done) return null
    const res = await this.#queryCall<{ resultBatch: Buffer }>('getNextResultBatch', q, signal)
    const { size, rows } = decodeChunk(res.resultBatch, this.#columns?.length ?? 0)
    if (size <= 0) {
      this.#done = true
      if (this.#rowCount < 0) this.#rowCount = this.#received
      return null
    }
    this.#received += rows.length
    return rows
  }

  /** The next row, or `undefined` at the end (the connector's `fetchone` returns `[row]`; this returns the row). */
  async fetchOne(signal?: AbortSignal): Promise<Row | undefined> {
    const rows = await this.fetchMany(1, signal)
    return rows[0]
  }

  /** Up to `size` next rows (default {@link arraySize}); fewer only at the end. */
  async fetchMany(size = this.arraySize, signal?: AbortSignal): Promise<Row[]> {
    const out: Row[] = []
    while (out.length < size) {
      if (this.#bufferPos >= this.#buffer.length) {
        const batch = await this.fetchBatch(signal)
        if (batch === null) break
        this.#buffer = batch
        this.#bufferPos = 0
      }
      const take = Math.min(size - out.length, this.#buffer.length - this.#bufferPos)
      for (let i = 0; i < take; i++) out.push(this.#buffer[this.#bufferPos++]!)
    }
    if (this.#bufferPos >= this.#buffer.length) {
      this.#buffer = []
      this.#bufferPos = 0
    }
    return out
  }

  /** Every remaining row, in one array. For large results prefer {@link fetchAllBuffer}. */
  async fetchAll(signal?: AbortSignal): Promise<Row[]> {
    const out: Row[] = this.#buffer.slice(this.#bufferPos)
    this.#buffer = []
    this.#bufferPos = 0
    for (;;) {
      const batch = await this.fetchBatch(signal)
      if (batch === null) return out
      for (let i = 0; i < batch.length; i++) out.push(batch[i]!)
    }
  }

  /**
   * The remaining rows one engine batch at a time: memory holds one batch. Ending the loop early (`break`)
   * leaves the query on the engine; call {@link clear} or {@link close}.
   */
  async *fetchAllBuffer(signal?: AbortSignal): AsyncGenerator<Row[], void, undefined> {
    if (this.#bufferPos < this.#buffer.length) {
      const rest = this.#buffer.slice(this.#bufferPos)
      this.#buffer = []
      this.#bufferPos = 0
      yield rest
    }
    for (;;) {
      const batch = await this.fetchBatch(signal)
      if (batch === null) return
      yield batch
    }
  }

  /** The planner's plan text (`explain`). */
  async explain(): Promise<string> {
    return (await this.#queryCall<{ explain: string }>('explain', this.#require())).explain
  }

  /** Timings and the planner JSON of the current query (`explainAnalyze`). */
  async explainAnalyse(): Promise<ExplainAnalysis> {
    const r = await this.#queryCall<{ explainAnalyze: string; isCached: boolean; parsingTime: number; queueingTime: number }>('explainAnalyze', this.#require())
    let plan: Record<string, unknown> | undefined
    try {
      const p = JSON.parse(r.explainAnalyze) as unknown
      if (p !== null && typeof p === 'object') plan = p as Record<string, unknown>
    } catch {
      plan = undefined
    }
    const total = plan?.['total_query_time']
    return {
      isCached: r.isCached,
      parsingTime: Number(r.parsingTime),
      queueingTime: Number(r.queueingTime),
      planner: r.explainAnalyze,
      plan,
      totalQueryTime: typeof total === 'number' ? total : undefined,
    }
  }

  /** Execution status of the current query (`status`): whether it finished, and the total row count. */
  async status(): Promise<{ finished: boolean; rowCount: number }> {
    const r = await this.#queryCall<{ status: boolean; rowCount: number }>('status', this.#require())
    return { finished: r.status, rowCount: Number(r.rowCount) }
  }

  /**
   * Cancels a query (`cancelQuery`): the current one, or `queryId` (run on this cursor's planner). Later fetches
   * of a cancelled query fail with the engine's error.
   */
  async cancel(queryId?: string): Promise<void> {
    const q = this.#require()
    const id = queryId ?? q.queryId
    await this.connection.call('cancelQuery', { engineIP: q.engineIp, sessionId: q.session.id, queryId: id }, {
      plannerIp: q.engineIp,
      strategy: this.connection.strategyState.strategyFor(id),
    })
    this.connection.strategyState.unregister(id)
  }

  /** Frees the current query on the engine (`clearOrCancelQuery`: cancels it first if still running). */
  async clear(): Promise<void> {
    const q = this.#query
    if (q === undefined) return
    this.#query = undefined
    this.#buffer = []
    this.#bufferPos = 0
    this.#done = true
    try {
      await this.#queryCall('clearOrCancelQuery', q)
    } finally {
      this.connection.strategyState.unregister(q.queryId)
    }
  }

  /** Clears the current query, ignoring errors (as the connector's `close`). Does not close the Connection. */
  async close(): Promise<void> {
    await this.clear().catch(() => {})
    this.#columns = undefined
    this.#rowCount = -1
  }

  /** Databases of this cursor's catalog. */
  getSchemaNames(): Promise<string[]> {
    return this.connection.getSchemaNames(this.catalog ?? '')
  }
  /** Tables of this cursor's catalog and database. */
  getTables(): Promise<string[]> {
    return this.connection.getTables(this.catalog ?? '', this.database)
  }
  /** Columns of a table in this cursor's catalog and database. */
  getColumns(table: string): ReturnType<Connection['getColumns']> {
    return this.connection.getColumns(this.catalog ?? '', this.database, table)
  }
}
