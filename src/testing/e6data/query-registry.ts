import { randomUUID } from 'node:crypto'
import { status } from '@grpc/grpc-js'
import type { DuckDBConnection, DuckDBDataChunk, DuckDBPreparedStatement, DuckDBResult } from '@duckdb/node-api'
import { encodeResultMetadata } from '../../e6data/result-metadata.ts'
import { encodeChunk, ThriftBinaryWriter } from './chunk-encoder.ts'
import { planColumn, vectorFromChunks, type ColumnPlan } from './duckdb-vectors.ts'
import type { EngineCatalog } from './engine-catalog.ts'
import { EngineError } from './engine-error.ts'
import { translateStringLiterals } from './sql-translation.ts'

/** DuckDB statement types the read-only engine runs (`StatementType` numbers of @duckdb/node-api). */
const READ_ONLY_STATEMENTS = new Set([1 /* SELECT */, 4 /* EXPLAIN */, 17 /* PRAGMA: DESCRIBE/SHOW */])

/** First keywords of the statements the engine accepts. */
const READ_ONLY_KEYWORDS = new Set(['SELECT', 'WITH', 'VALUES', 'EXPLAIN', 'DESCRIBE', 'SHOW', 'FROM', 'TABLE'])

/** One query of the local engine. */
export interface EngineQuery {
  id: string
  sessionId: string
  engineIp: string
  strategy: string | undefined
  sql: string
  conn: DuckDBConnection
  prepared: DuckDBPreparedStatement
  result: DuckDBResult | undefined
  plans: ColumnPlan[]
  names: string[]
  rowsSent: number
  /** Rows of the whole result, counted once executed (`undefined` until known; -1 when it cannot be counted). */
  total: number | undefined
  /** The count in flight on its own DuckDB connection. */
  counting: { done: Promise<void>; conn: DuckDBConnection | undefined } | undefined
  catalog: string | undefined
  database: string
  done: boolean
  cancelled: boolean
  parsingMs: number
  startedAt: number
  finishedAt: number | undefined
  /** `Date.now()` of the last RPC on the query (abandoned queries are dropped after the registry's `idleTtl`). */
  lastUsed: number
  /** Serialises getNextResultBatch calls of this query. */
  chain: Promise<unknown>
  writer: ThriftBinaryWriter
}

/**
 * Queries of the local engine: prepare (DuckDB `prepare`, which also checks the SQL), execute (start streaming),
 * metadata, batches encoded from DuckDB's chunks as they come (`batchRows` rows per batch at least, so a result is
 * never held whole), then empty batches forever; cancel and clear.
 */
export class QueryRegistry {
  readonly #queries = new Map<string, EngineQuery>()
  readonly #catalog: EngineCatalog
  readonly #sweeper: NodeJS.Timeout
  batchRows: number
  /** How long `getResultMetadata` waits for the result's row count, ms (see {@link metadata}). */
  rowCountWait: number

  /** `idleTtl`: ms after which a query nobody touches is cleared (a client that never calls clear). */
  constructor(catalog: EngineCatalog, batchRows: number, idleTtl = 600_000, rowCountWait = 2_000) {
    this.#catalog = catalog
    this.batchRows = batchRows
    this.rowCountWait = rowCountWait
    this.#sweeper = setInterval(() => {
      const now = Date.now()
      for (const [id, q] of this.#queries) if (now - q.lastUsed > idleTtl) this.remove(id)
    }, Math.min(idleTtl, 60_000))
    this.#sweeper.unref()
  }

  get size(): number {
    return this.#queries.size
  }

  get(id: string): EngineQuery {
    const q = this.#queries.get(id)
    if (q === undefined) throw new EngineError(status.NOT_FOUND, `Query ${id} not found (cleared, or never prepared)`)
    q.lastUsed = Date.now()
    return q
  }

  /** The query, without touching it; `undefined` when unknown. */
  peek(id: string): EngineQuery | undefined {
    return this.#queries.get(id)
  }

  async prepare(sessionId: string, catalog: string | undefined, database: string, sql: string, engineIp: string, strategy: string | undefined): Promise<EngineQuery> {
    const started = performance.now()
    let text: string
    try {
      text = translateStringLiterals(sql)
    } catch (err) {
      throw new EngineError(status.INTERNAL, `SQL parse error: ${(err as Error).message}`)
    }
    const head = /^(?:\s|--[^\n]*\n|\/\*[\s\S]*?\*\/|\()*([A-Za-z]+)/.exec(text)?.[1]?.toUpperCase()
    if (head === undefined || !READ_ONLY_KEYWORDS.has(head)) {
      throw new EngineError(status.INTERNAL, `Query failed: only read-only statements (SELECT, WITH, VALUES, EXPLAIN, DESCRIBE, SHOW) are supported by the engine, got ${head ?? 'nothing'}`)
    }
    const conn = await this.#catalog.connect(catalog, database).catch((err: Error) => {
      throw new EngineError(status.INTERNAL, err.message)
    })
    let prepared: DuckDBPreparedStatement
    try {
      prepared = await conn.prepare(text)
    } catch (err) {
      conn.closeSync()
      throw new EngineError(status.INTERNAL, `Query failed: ${(err as Error).message}`)
    }
    if (!READ_ONLY_STATEMENTS.has(prepared.statementType as number)) {
      conn.closeSync()
      throw new EngineError(status.INTERNAL, 'Query failed: only read-only statements (SELECT, WITH, EXPLAIN) are supported by the engine')
    }
    const q: EngineQuery = {
      id: randomUUID(),
      sessionId,
      engineIp,
      strategy,
      sql: text,
      conn,
      prepared,
      result: undefined,
      plans: [],
      names: [],
      rowsSent: 0,
      total: undefined,
      counting: undefined,
      catalog,
      database,
      done: false,
      cancelled: false,
      parsingMs: performance.now() - started,
      startedAt: Date.now(),
      finishedAt: undefined,
      lastUsed: Date.now(),
      chain: Promise.resolve(),
      writer: new ThriftBinaryWriter(),
    }
    this.#queries.set(q.id, q)
    return q
  }

  async execute(q: EngineQuery): Promise<void> {
    if (q.result !== undefined) return
    try {
      q.result = await q.prepared.stream()
    } catch (err) {
      throw new EngineError(status.INTERNAL, `Query failed: ${(err as Error).message}`)
    }
    q.names = q.result.columnNames()
    q.plans = q.result.columnTypes().map(planColumn)
    this.#count(q)
  }

  /**
   * Counts the result's rows on a second DuckDB connection while the first streams it, so the row count is known
   * once the query has executed (as on an e6data cluster, where `executeStatement` runs the query to the end)
   * without the result ever being held whole. Statements that cannot be counted (EXPLAIN, DESCRIBE) get -1.
   */
  #count(q: EngineQuery): void {
    const counting: NonNullable<EngineQuery['counting']> = { done: Promise.resolve(), conn: undefined }
    counting.done = (async () => {
      try {
        counting.conn = await this.#catalog.connect(q.catalog, q.database)
        if (q.cancelled) return
        const r = await counting.conn.run(`SELECT count(*) FROM (${q.sql.replace(/;\s*$/, '')}\n)`)
        const rows = await r.getRows()
        if (q.total === undefined) q.total = Number(rows[0]?.[0] ?? -1)
      } catch {
        if (q.total === undefined) q.total = -1
      } finally {
        try {
          counting.conn?.closeSync()
        } catch {
          // closed
        }
        counting.conn = undefined
      }
    })()
    q.counting = counting
  }

  /** Whether the query has executed to the end: its row count is known, or every row was sent. */
  finished(q: EngineQuery): boolean {
    return q.done || (q.total !== undefined && q.total >= 0)
  }

  /** Rows of the whole result when known, else the rows sent so far. */
  rowCount(q: EngineQuery): number {
    return q.total !== undefined && q.total >= 0 ? q.total : q.rowsSent
  }

  /**
   * The result metadata (DataInputStream layout). Its row count is the result's, waiting up to `rowCountWait` ms
   * for the count; a query still counting after that (or uncountable) answers -1 until every row was sent.
   */
  async metadata(q: EngineQuery): Promise<Buffer> {
    if (q.result === undefined) throw new EngineError(status.FAILED_PRECONDITION, `Query ${q.id} was not executed`)
    if (q.total === undefined && q.counting !== undefined && !q.done) {
      let timer: NodeJS.Timeout | undefined
      await Promise.race([q.counting.done, new Promise<void>((resolve) => (timer = setTimeout(resolve, this.rowCountWait)))])
      clearTimeout(timer)
    }
    const known = q.total !== undefined && q.total >= 0
    return encodeResultMetadata({
      rowCount: known ? q.total! : q.done ? q.rowsSent : -1,
      columns: q.names.map((name, i) => ({ name, typeCode: q.plans[i]!.typeCode, zone: '', format: '' })),
    })
  }

  /** The next batch (Thrift Chunk bytes) or an empty buffer once the result is exhausted. */
  nextBatch(q: EngineQuery): Promise<Buffer> {
    const run = q.chain.then(() => this.#next(q))
    q.chain = run.catch(() => {})
    return run
  }

  async #next(q: EngineQuery): Promise<Buffer> {
    if (q.cancelled) throw new EngineError(status.CANCELLED, `Query ${q.id} was cancelled`)
    if (q.result === undefined) throw new EngineError(status.FAILED_PRECONDITION, `Query ${q.id} was not executed`)
    if (q.done) return Buffer.alloc(0)
    const chunks: DuckDBDataChunk[] = []
    let rows = 0
    while (rows < this.batchRows) {
      let chunk: DuckDBDataChunk | null
      try {
        chunk = await q.result.fetchChunk()
      } catch (err) {
        if (q.cancelled) throw new EngineError(status.CANCELLED, `Query ${q.id} was cancelled`)
        throw new EngineError(status.INTERNAL, `Query failed: ${(err as Error).message}`)
      }
      if (chunk === null || chunk.rowCount === 0) {
        q.done = true
        q.finishedAt = Date.now()
        break
      }
      chunks.push(chunk)
      rows += chunk.rowCount
    }
    if (q.cancelled) throw new EngineError(status.CANCELLED, `Query ${q.id} was cancelled`)
    if (rows === 0) return Buffer.alloc(0)
    q.rowsSent += rows
    return encodeChunk(rows, q.plans.map((plan, c) => vectorFromChunks(plan, chunks, c)), q.writer)
  }

  cancel(id: string): void {
    const q = this.#queries.get(id)
    if (q === undefined) return
    q.cancelled = true
    for (const conn of [q.conn, q.counting?.conn]) {
      try {
        conn?.interrupt()
      } catch {
        // already finished
      }
    }
  }

  remove(id: string): void {
    const q = this.#queries.get(id)
    if (q === undefined) return
    this.cancel(id)
    this.#queries.delete(id)
    q.chain.finally(() => {
      try {
        q.conn.closeSync()
      } catch {
        // closed
      }
    })
  }

  /** The EXPLAIN-ANALYSE JSON: times in ms and the DuckDB plan text. */
  async explainAnalyze(q: EngineQuery): Promise<string> {
    let plan = ''
    try {
      const r = await q.conn.run(`EXPLAIN ${q.sql}`)
      plan = (await r.getRows()).map((row) => String(row[1] ?? row[0])).join('\n')
    } catch {
      plan = ''
    }
    const total = (q.finishedAt ?? Date.now()) - q.startedAt
    return JSON.stringify({
      total_query_time: total,
      executionQueueingTime: 0,
      parsingTime: Math.round(q.parsingMs),
      rowCount: this.rowCount(q),
      plan: { type: 'DuckDB', text: plan },
    })
  }

  closeAll(): void {
    clearInterval(this.#sweeper)
    for (const id of [...this.#queries.keys()]) this.remove(id)
  }
}
