import { bindArgTypes } from './arg-typed-sql.ts'
import type { Catalog } from './catalog.ts'
import { CrateError, parseError, unsupportedFeature } from './crate-error.ts'
import type { CrateStore } from './crate-store.ts'
import { SYSTEM_COLUMNS } from './expression-translator.ts'
import type { HttpSession } from './http-session.ts'
import type { Job } from './job-registry.ts'
import type { JsonValue } from './lossless-json.ts'
import { encodeParam, guessParamTypes } from './param-encoding.ts'
import { crateErrorOf, isRowLevelError } from './pg-error-mapping.ts'
import { parsePgArray, type PgArrayItem } from './pg-array-text.ts'
import { ARRAY_ELEMENT, OID } from './pg-oids.ts'
import { PgError, type PgField, type PgResult, type PreparedStatement } from './pglite-wire.ts'
import type { BulkItem, StatementResult } from './response-body.ts'
import { colTypeOfArrayValues, colTypeOfCrateType, colTypeOfOid, encodePgValue, inferJsonColType, type ColType } from './result-encoding.ts'
import type { SqlStatement } from './statement-translator.ts'

/** SQLSTATEs after which a statement is parsed again with other parameter type hints. */
const TYPE_RETRY = new Set(['42883', '42804', '42846', '42P18', '42725', '42P08', '22P02'])

/**
 * Parses `sql` with type hints guessed from the args (like CrateDB; bulk requests first without hints), falling
 * back to letting PostgreSQL infer every parameter, then to text for strings/nulls. DML and queries become cached
 * named statements (parsed once per search path, role and argument types); DDL uses the unnamed statement.
 * @throws PgError from the last attempt.
 */
async function prepare(store: CrateStore, stmt: SqlStatement, rows: readonly (readonly JsonValue[])[], bulk = false): Promise<PreparedStatement> {
  const count = stmt.paramCount
  const unknown = new Array<number>(count).fill(0)
  const attempts =
    count === 0
      ? [unknown]
      : bulk
        ? [unknown, guessParamTypes(rows, count), guessParamTypes(rows, count, true)]
        : [guessParamTypes(rows, count), unknown, guessParamTypes(rows, count, true)]
  const parse = async (name: string): Promise<PreparedStatement> => {
    let last: unknown
    const seen = new Set<string>()
    for (const types of attempts) {
      const key = types.join(',')
      if (seen.has(key)) continue
      seen.add(key)
      try {
        return await store.wire.prepare(stmt.sql, types, name)
      } catch (error) {
        last = error
        if (!(error instanceof PgError) || !TYPE_RETRY.has(error.code)) throw error
      }
    }
    throw last
  }
  if (stmt.ddl) return parse('')
  return store.preparedStatement(stmt.sql, attempts[0]!, parse)
}

function encodeArgs(args: readonly JsonValue[], types: readonly number[]): Array<string | null> {
  return types.map((type, i) => encodeParam(args[i] ?? null, type))
}

/** Rows affected according to a CommandComplete tag (CREATE/DROP → 1, ALTER → -1, others 0). */
export function rowcountOfTag(tag: string): number {
  const words = tag.split(' ')
  const last = Number(words[words.length - 1])
  if (['INSERT', 'UPDATE', 'DELETE', 'SELECT', 'MERGE', 'COPY', 'MOVE', 'FETCH'].includes(words[0]!) && Number.isFinite(last)) return last
  if (words[0] === 'CREATE' || words[0] === 'DROP') return 1
  if (words[0] === 'ALTER') return -1
  return 0
}

/**
 * Turns PostgreSQL result columns and rows into CrateDB's `cols`, `col_types` and encoded rows: hidden system
 * columns not named by the statement are dropped; the declared CrateDB type of a table column wins over the
 * PostgreSQL type (geo_point vs double[], object vs jsonb, byte vs smallint); jsonb expressions are typed from their
 * values.
 */
export function buildRows(
  fields: readonly PgField[],
  rows: ReadonlyArray<ReadonlyArray<string | null>>,
  stmt: Pick<SqlStatement, 'systemColumns' | 'outputNames' | 'outputTypes'>,
  catalog: Catalog,
): StatementResult & { kind: 'rows' } {
  const keep: number[] = []
  fields.forEach((f, i) => {
    if (f.tableID !== 0 && SYSTEM_COLUMNS.has(f.name) && !stmt.systemColumns.has(f.name)) return
    keep.push(i)
  })
  const exprTypes = stmt.outputTypes !== undefined && stmt.outputTypes.length === fields.length ? stmt.outputTypes : undefined
  const declared = keep.map((i) => (fields[i]!.tableID === 0 ? exprTypes?.[i] : catalog.crateType(fields[i]!.tableID, fields[i]!.columnID)))
  const colTypes: ColType[] = keep.map((i, k) => {
    const f = fields[i]!
    const d = declared[k]
    if (d !== undefined) {
      const t = colTypeOfCrateType(d)
      if (t !== undefined) return t
    }
    if (f.dataTypeID === OID.jsonb && f.tableID === 0) return inferJsonColType(rows.map((r) => r[i] ?? null))
    // arr['k'] on ARRAY(OBJECT): typed by the values, as CrateDB types the object's dynamic sub-column.
    if (f.dataTypeID === OID.jsonbArray && f.tableID === 0) {
      const element = inferJsonColType(rows.flatMap((r) => (r[i] == null ? [] : leaves(parsePgArray(r[i]!)))))
      if (element !== 0) return [100, element]
    }
    if (ARRAY_ELEMENT.has(f.dataTypeID)) return colTypeOfArrayValues(f.dataTypeID, rows.map((r) => r[i] ?? null))
    return colTypeOfOid(f.dataTypeID)
  })
  const names = stmt.outputNames !== undefined && stmt.outputNames.length === fields.length ? stmt.outputNames : undefined
  const cols = keep.map((i) => names?.[i] ?? fields[i]!.name)
  const encoded = rows.map((row) => `[${keep.map((i, k) => encodePgValue(row[i] ?? null, fields[i]!.dataTypeID, declared[k])).join(',')}]`)
  return { kind: 'rows', cols, colTypes, rows: encoded }
}

/** The scalar elements of a parsed PostgreSQL array, at any depth. */
function leaves(items: readonly PgArrayItem[]): (string | null)[] {
  return items.flatMap((item) => (Array.isArray(item) ? leaves(item) : [item]))
}

function isPkLookup(stmt: SqlStatement, catalog: Catalog): boolean {
  const filter = stmt.filter
  if (filter === undefined) return false
  if (filter.columns.includes('_id')) return true
  const table = catalog.table(filter.table)
  if (table === undefined || table.primaryKey.length === 0) return false
  return table.primaryKey.every((c) => filter.columns.includes(c))
}

/**
 * `true` when the statement only reads and must only see refreshed rows (refresh knob,
 * https://cratedb.com/docs/crate/reference/en/latest/general/dql/refresh.html).
 */
function runsAsSearch(store: CrateStore, stmt: SqlStatement): boolean {
  if (!store.visibilityEnabled) return false
  if (!['SELECT', 'WITH', 'VALUES', 'TABLE'].includes(stmt.verb)) return false
  return !isPkLookup(stmt, store.catalog)
}

/**
 * Prepares the engine for `stmt`: `sys.jobs`, search path and role, under the refresh knob the refreshed images of
 * rows updated or deleted since the last refresh for a search (or for a write that reads through
 * `crate_sys.refreshed_rows`), and a schema CREATE … AS needs. Returns `true` when
 * such images were attached: call `store.detachGhosts()` after the statement, whatever happens.
 */
async function beforeStatement(store: CrateStore, session: HttpSession, stmt: SqlStatement): Promise<boolean> {
  if (/\bjobs\b/i.test(stmt.sql)) await store.syncJobs()
  const search = runsAsSearch(store, stmt)
  if (!search && !READ_VERBS.has(stmt.verb)) store.noteWrite()
  const ghosts = search || stmt.refreshedReads === true ? await store.attachGhosts() : false
  await store.useSession(session.schema, search, session.user)
  if (stmt.ensureSchema !== undefined && !store.catalog.hasSchema(stmt.ensureSchema)) {
    await store.useSession(session.schema, false, session.user)
    await store.wire.script(`CREATE SCHEMA IF NOT EXISTS "${stmt.ensureSchema.replaceAll('"', '""')}"`)
  }
  return ghosts
}

/** Statement verbs that never write rows. */
const READ_VERBS: ReadonlySet<string> = new Set(['SELECT', 'VALUES', 'TABLE', 'EXPLAIN', 'SHOW'])

function checkArgCount(stmt: SqlStatement, args: readonly JsonValue[]): void {
  if (args.length < stmt.paramCount) {
    throw parseError(`The query contains a parameter placeholder $${stmt.paramCount}, but there are only ${args.length} parameter values`)
  }
}

/** `stmt` with its object sub-columns compared with parameters typed by the arguments (`arg-typed-sql.ts`). */
function withArgTypes(stmt: SqlStatement, rows: readonly (readonly JsonValue[])[]): SqlStatement {
  const sql = bindArgTypes(stmt.sql, rows)
  return sql === stmt.sql ? stmt : { ...stmt, sql }
}

/** Raw outcome of {@link executeSql}: what PostgreSQL described and returned. */
export interface SqlOutcome {
  readonly prepared: PreparedStatement
  readonly result: PgResult
}

/**
 * Runs one translated statement with `args` on the engine for `session` (search path, role) and maps PostgreSQL
 * errors to CrateDB errors.
 * @throws CrateError for every failure.
 */
export async function executeSql(store: CrateStore, session: HttpSession, job: Job, statement: SqlStatement, args: readonly JsonValue[], originalStmt: string): Promise<SqlOutcome> {
  checkArgCount(statement, args)
  const stmt = withArgTypes(statement, [args])
  try {
    return await store.run(job, async (wire) => {
      const ghosts = await beforeStatement(store, session, stmt)
      try {
        const prepared = await prepare(store, stmt, [args])
        const values = encodeArgs(args, prepared.paramTypes)
        try {
          const result = await wire.execute(values, prepared.name)
          return { prepared, result }
        } finally {
          if (stmt.ddl) await store.reloadCatalog()
        }
      } finally {
        if (ghosts) await store.detachGhosts()
      }
    })
  } catch (error) {
    throw toCrateError(error, store, session, originalStmt)
  }
}

/**
 * Runs a translated statement and shapes the CrateDB result (rows or a row count).
 * @throws CrateError for every failure.
 */
export async function runSql(store: CrateStore, session: HttpSession, job: Job, stmt: SqlStatement, args: readonly JsonValue[], originalStmt: string): Promise<StatementResult> {
  const { prepared, result } = await executeSql(store, session, job, stmt, args, originalStmt)
  if (prepared.fields === undefined) {
    if (stmt.verb === 'CREATE' && result.notices.includes('42P07')) return { kind: 'count', rowcount: 0 }
    return { kind: 'count', rowcount: rowcountOfTag(result.tag) }
  }
  return buildRows(prepared.fields, result.rows, stmt, store.catalog)
}

/**
 * Runs a statement once per `bulkArgs` row in one engine round trip
 * (https://cratedb.com/docs/crate/reference/en/latest/interfaces/http.html#http-bulk-errors, 5.10+ semantics): runtime
 * failures (duplicate key, constraint violations) become `{rowcount: -2, error}` items; analysis failures (syntax,
 * unknown relation/column, an argument that cannot be cast) fail the whole request. A statement that returns rows
 * is rejected with 400/4004.
 * @throws CrateError for a whole-request failure.
 */
export async function runBulk(store: CrateStore, session: HttpSession, job: Job, statement: SqlStatement, bulkArgs: readonly (readonly JsonValue[])[], originalStmt: string): Promise<BulkItem[]> {
  for (const args of bulkArgs) checkArgCount(statement, args)
  const stmt = withArgTypes(statement, bulkArgs)
  try {
    return await store.run(job, async (wire) => {
      const ghosts = await beforeStatement(store, session, stmt)
      let outcomes
      try {
        const prepared = await prepare(store, stmt, bulkArgs, true)
        if (prepared.fields !== undefined) throw unsupportedFeature('Bulk operations for statements that return result sets is not supported')
        const values = bulkArgs.map((args) => encodeArgs(args, prepared.paramTypes))
        try {
          outcomes = await wire.executeBatch(values, prepared.name)
        } finally {
          if (stmt.ddl) await store.reloadCatalog()
        }
      } finally {
        if (ghosts) await store.detachGhosts()
      }
      const context = { stmt: originalStmt, schema: session.schema, catalog: store.catalog }
      return outcomes.map((outcome): BulkItem => {
        if ('tag' in outcome) return { rowcount: rowcountOfTag(outcome.tag) }
        if (!isRowLevelError(outcome.error)) throw outcome.error
        const crate = crateErrorOf(outcome.error, context)
        return { rowcount: -2, error: { code: crate.code, message: crate.crateMessage } }
      })
    })
  } catch (error) {
    throw toCrateError(error, store, session, originalStmt)
  }
}

/** Maps anything thrown while running a statement to a {@link CrateError}. */
export function toCrateError(error: unknown, store: CrateStore, session: HttpSession, stmt: string): CrateError {
  if (error instanceof CrateError) return error
  if (error instanceof PgError) return crateErrorOf(error, { stmt, schema: session.schema, catalog: store.catalog })
  const message = error instanceof Error ? error.message : String(error)
  return new CrateError('SQLActionException', message, 5000, { cause: error })
}
