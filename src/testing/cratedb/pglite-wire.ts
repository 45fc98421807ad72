import { protocol, type PGlite } from '@electric-sql/pglite'

/** One result column as PostgreSQL's RowDescription reports it. */
export interface PgField {
  readonly name: string
  /** OID of the source table, 0 for an expression. */
  readonly tableID: number
  /** Attribute number in the source table, 0 for an expression. */
  readonly columnID: number
  readonly dataTypeID: number
}

/** A PostgreSQL error (ErrorResponse) with its SQLSTATE and fields. */
export class PgError extends Error {
  /** SQLSTATE, e.g. `'23505'`. */
  readonly code: string
  readonly detail: string | undefined
  /** 1-based character position in the statement, when PostgreSQL reports one. */
  readonly position: number | undefined
  readonly routine: string | undefined

  constructor(fields: { message?: string | undefined; code?: string | undefined; detail?: string | undefined; position?: string | undefined; routine?: string | undefined }) {
    super(fields.message ?? 'unknown PostgreSQL error')
    this.code = fields.code ?? 'XX000'
    this.detail = fields.detail
    this.position = fields.position === undefined ? undefined : Number(fields.position)
    this.routine = fields.routine
  }
}

/** What {@link PgliteWire.prepare} learns about a statement. */
export interface PreparedStatement {
  /** Statement name (`''` = the unnamed statement). */
  readonly name: string
  /** Parameter type OIDs PostgreSQL inferred (or was given). */
  readonly paramTypes: readonly number[]
  /** Result columns, or `undefined` when the statement returns no rows (NoData). */
  readonly fields: readonly PgField[] | undefined
}

/** Rows and command tag of one executed portal. */
export interface PgResult {
  /** Each row as PostgreSQL text-format values (`null` for NULL). */
  readonly rows: Array<Array<string | null>>
  /** CommandComplete tag, e.g. `'INSERT 0 3'`, `'SELECT 2'`. */
  readonly tag: string
  /** SQLSTATEs of notices raised while executing (e.g. `'42P07'` for CREATE TABLE IF NOT EXISTS). */
  readonly notices: readonly string[]
}

/** Outcome of one row of {@link PgliteWire.executeBatch}. */
export type BatchOutcome = { readonly tag: string } | { readonly error: PgError }

/** Values of one execution, text format, `null` for NULL. */
export type PgValues = ReadonlyArray<string | null>

function concat(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0
  for (const p of parts) length += p.length
  const out = new Uint8Array(length)
  let offset = 0
  for (const p of parts) {
    out.set(p, offset)
    offset += p.length
  }
  return out
}

const EXECUTE = Uint8Array.from([0x45, 0, 0, 0, 9, 0, 0, 0, 0, 0])
const SYNC = Uint8Array.from([0x53, 0, 0, 0, 4])

/**
 * Bind + Execute messages for each row of values (text format, unnamed portal), each followed by Sync when
 * `syncEach`, else one Sync at the end — written straight into one buffer.
 */
function bindExecute(rows: readonly PgValues[], statement: string, syncEach: boolean): Uint8Array {
  const name = Buffer.from(`${statement}\u0000`)
  const encoded = rows.map((values) => values.map((v) => (v === null ? null : Buffer.from(v, 'utf8'))))
  let size = syncEach ? 0 : SYNC.length
  for (const values of encoded) {
    let bind = 1 + 4 + 1 + name.length + 2 + 2 + 2
    for (const v of values) bind += 4 + (v === null ? 0 : v.length)
    size += bind + EXECUTE.length + (syncEach ? SYNC.length : 0)
  }
  const out = Buffer.allocUnsafe(size)
  let o = 0
  for (const values of encoded) {
    const start = o
    out[o++] = 0x42 // 'B'
    o += 4 // length, filled below
    out[o++] = 0 // unnamed portal
    name.copy(out, o)
    o += name.length
    o = out.writeInt16BE(0, o) // all parameters in text format
    o = out.writeInt16BE(values.length, o)
    for (const v of values) {
      if (v === null) o = out.writeInt32BE(-1, o)
      else {
        o = out.writeInt32BE(v.length, o)
        v.copy(out, o)
        o += v.length
      }
    }
    o = out.writeInt16BE(0, o) // all results in text format
    out.writeInt32BE(o - start - 1, start + 1)
    out.set(EXECUTE, o)
    o += EXECUTE.length
    if (syncEach) {
      out.set(SYNC, o)
      o += SYNC.length
    }
  }
  if (!syncEach) out.set(SYNC, o)
  return out
}

interface RawMessage {
  name: string
  [key: string]: unknown
}

/**
 * PostgreSQL's extended query protocol spoken directly to a PGlite instance (`execProtocol`), so the local
 * CrateDB server sees text-format values (exact digits), source table/column of each result column, parameter
 * types, and per-row outcomes of a batch. Every call must run inside the store's lane (one statement at a time).
 */
export class PgliteWire {
  readonly #db: PGlite

  constructor(db: PGlite) {
    this.#db = db
  }

  async #exchange(message: Uint8Array): Promise<RawMessage[]> {
    // The data directory lives in memory only: nothing to sync to a file system after each call.
    const { messages } = await this.#db.execProtocol(message, { throwOnError: false, syncToFs: false })
    return messages as unknown as RawMessage[]
  }

  /**
   * Parses `sql` as statement `name` (default: the unnamed statement, valid until the next unnamed Parse) and
   * describes it.
   * @param paramTypes type hints per parameter (0 = let PostgreSQL infer).
   * @throws PgError when PostgreSQL rejects the statement.
   */
  async prepare(sql: string, paramTypes: readonly number[], name = ''): Promise<PreparedStatement> {
    const messages = await this.#exchange(
      concat([
        protocol.serialize.parse({ text: sql, types: [...paramTypes], name }),
        protocol.serialize.describe({ type: 'S', name }),
        protocol.serialize.sync(),
      ]),
    )
    let types: readonly number[] = []
    let fields: PgField[] | undefined
    for (const m of messages) {
      if (m.name === 'error') throw new PgError(m as never)
      if (m.name === 'parameterDescription') types = m['dataTypeIDs'] as number[]
      if (m.name === 'rowDescription') fields = (m['fields'] as PgField[]).map((f) => ({ name: f.name, tableID: f.tableID, columnID: f.columnID, dataTypeID: f.dataTypeID }))
    }
    return { name, paramTypes: types, fields }
  }

  /** Drops named statements (`DEALLOCATE`). */
  async close(names: readonly string[]): Promise<void> {
    if (names.length === 0) return
    await this.#exchange(concat([...names.map((name) => protocol.serialize.close({ type: 'S', name })), protocol.serialize.sync()]))
  }

  /**
   * Binds `values` to a prepared statement and runs it to completion.
   * @throws PgError when execution fails.
   */
  async execute(values: PgValues, statement = ''): Promise<PgResult> {
    const messages = await this.#exchange(bindExecute([values], statement, true))
    const rows: Array<Array<string | null>> = []
    const notices: string[] = []
    let tag = ''
    for (const m of messages) {
      if (m.name === 'error') throw new PgError(m as never)
      if (m.name === 'dataRow') rows.push(m['fields'] as Array<string | null>)
      else if (m.name === 'commandComplete') tag = m['text'] as string
      else if (m.name === 'notice' && typeof m['code'] === 'string') notices.push(m['code'])
    }
    return { rows, tag, notices }
  }

  /** Runs every row in one implicit transaction; on the first failure everything is rolled back. */
  async #inOneTransaction(rows: readonly PgValues[], statement: string): Promise<{ tags: string[] } | { failedAt: number; error: PgError }> {
    const messages = await this.#exchange(bindExecute(rows, statement, false))
    const tags: string[] = []
    for (const m of messages) {
      if (m.name === 'commandComplete') tags.push(m['text'] as string)
      else if (m.name === 'error') return { failedAt: tags.length, error: new PgError(m as never) }
    }
    return { tags }
  }

  /** Runs every row as its own implicit transaction (Bind, Execute, Sync each). */
  async #rowByRow(rows: readonly PgValues[], statement: string): Promise<BatchOutcome[]> {
    const messages = await this.#exchange(bindExecute(rows, statement, true))
    const outcomes: BatchOutcome[] = []
    let current: BatchOutcome | undefined
    for (const m of messages) {
      if (m.name === 'error') current = { error: new PgError(m as never) }
      else if (m.name === 'commandComplete' && current === undefined) current = { tag: m['text'] as string }
      else if (m.name === 'readyForQuery') {
        outcomes.push(current ?? { tag: '' })
        current = undefined
      }
    }
    return outcomes
  }

  /**
   * Runs a prepared statement once per row of values, with the outcome of each row as if each ran alone (a
   * failing row changes nothing and does not affect the others). Rows run optimistically in one transaction;
   * when one fails, the rows before it run again, the failing row is reported, and the rest continues (after a few
   * failures, row by row).
   */
  async executeBatch(rows: readonly PgValues[], statement = ''): Promise<BatchOutcome[]> {
    const outcomes: BatchOutcome[] = []
    let start = 0
    let failures = 0
    while (start < rows.length) {
      if (failures >= 3) {
        outcomes.push(...(await this.#rowByRow(rows.slice(start), statement)))
        break
      }
      const attempt = await this.#inOneTransaction(rows.slice(start), statement)
      if ('tags' in attempt) {
        for (const tag of attempt.tags) outcomes.push({ tag })
        break
      }
      failures++
      if (attempt.failedAt > 0) {
        const before = await this.#inOneTransaction(rows.slice(start, start + attempt.failedAt), statement)
        if ('tags' in before) for (const tag of before.tags) outcomes.push({ tag })
        else outcomes.push(...(await this.#rowByRow(rows.slice(start, start + attempt.failedAt), statement)))
      }
      outcomes.push({ error: attempt.error })
      start += attempt.failedAt + 1
    }
    return outcomes
  }

  /**
   * Runs a script of statements with the simple query protocol (one implicit transaction: all or nothing).
   * @throws PgError for the first failing statement.
   */
  async script(sql: string): Promise<void> {
    const messages = await this.#exchange(protocol.serialize.query(sql))
    for (const m of messages) if (m.name === 'error') throw new PgError(m as never)
  }

  /**
   * Runs one statement and returns its rows as objects of text values (for the server's own catalog queries).
   * Uses the unnamed statement.
   * @throws PgError when the query fails.
   */
  async rows(sql: string, values: PgValues = []): Promise<Array<Record<string, string | null>>> {
    const prepared = await this.prepare(sql, [])
    const result = await this.execute(values)
    const names = (prepared.fields ?? []).map((f) => f.name)
    return result.rows.map((row) => Object.fromEntries(names.map((n, i) => [n, row[i] ?? null])))
  }
}
