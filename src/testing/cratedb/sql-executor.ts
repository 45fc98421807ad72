import { CrateError, parseError, relationUnknown, schemaUnknown, unsupportedFeature } from './crate-error.ts'
import type { CrateStore } from './crate-store.ts'
import { createTableScript, millisecondScript, SYSTEM_COLUMN_DEFINITIONS, systemTriggerScript } from './create-table-script.ts'
import { qualified, type QualifiedName } from './qualified-name.ts'
import type { HttpSession } from './http-session.ts'
import type { Job } from './job-registry.ts'
import type { JsonValue } from './lossless-json.ts'
import { MaterializedCursor, noSuchCursor } from './materialized-cursor.ts'
import type { BulkItem, StatementResult } from './response-body.ts'
import { quoteIdent, quoteLiteral } from './sql-tokenizer.ts'
import { buildRows, executeSql, runBulk, runSql, toCrateError } from './statement-runner.ts'
import { translateStatement, type CrateStatement } from './statement-translator.ts'

/** The node a request arrived on (for `sys.jobs`). */
export interface NodeIdentity {
  readonly id: string
  readonly name: string
}

/** Session settings `SHOW` knows without a prior `SET`. */
const DEFAULT_SETTINGS: Readonly<Record<string, string>> = {
  application_name: '',
  datestyle: 'ISO',
  enable_hashjoin: 'false',
  error_on_unknown_object_key: 'true',
  max_index_keys: '32',
  max_identifier_length: '255',
  optimizer_eliminate_cross_join: 'true',
  server_version: '14.0',
  server_version_num: '140000',
  standard_conforming_strings: 'on',
  statement_timeout: '0s',
  timezone: 'UTC',
  transaction_isolation: 'read uncommitted',
}

/**
 * Executes CrateDB statements for HTTP sessions against the shared {@link CrateStore}: translation, the statements
 * the server implements itself (BEGIN/COMMIT no-ops, KILL, REFRESH, cursors, SET/SHOW, blob tables, CREATE TABLE
 * with system columns), and everything else on PGlite.
 */
export class SqlExecutor {
  readonly #store: CrateStore
  readonly #node: NodeIdentity

  constructor(store: CrateStore, node: NodeIdentity) {
    this.#store = store
    this.#node = node
  }

  #translate(session: HttpSession, stmt: string): CrateStatement {
    const catalog = this.#store.catalog
    return translateStatement(stmt, {
      defaultSchema: session.schema,
      columnsOf: (table) => {
        const info = catalog.table(table)
        return info?.userTable === true ? info.userColumns : undefined
      },
      primaryKeyOf: (table) => {
        const info = catalog.table(table)
        return info?.userTable === true ? info.primaryKey : undefined
      },
      argTypedSubscripts: true,
      ...(this.#store.visibilityEnabled ? { refreshedReads: (table: QualifiedName) => catalog.table(table)?.userTable === true } : {}),
    })
  }

  /**
   * Runs one statement with positional `args`
   * (https://cratedb.com/docs/crate/reference/en/latest/interfaces/http.html#http-param-substitution).
   * @throws CrateError with CrateDB's code for every failure.
   */
  async execute(session: HttpSession, stmt: string, args: readonly JsonValue[]): Promise<StatementResult> {
    const job = this.#store.jobs.start(stmt, session.user, session.id, this.#node)
    try {
      const statement = this.#translate(session, stmt)
      return await this.#run(session, job, statement, args, stmt)
    } catch (error) {
      throw toCrateError(error, this.#store, session, stmt)
    } finally {
      this.#store.jobs.finish(job)
    }
  }

  /**
   * Runs one statement once per row of `bulkArgs`
   * (https://cratedb.com/docs/crate/reference/en/latest/interfaces/http.html#http-bulk-ops) and reports each row's
   * outcome.
   * @throws CrateError for failures of the whole request.
   */
  async executeBulk(session: HttpSession, stmt: string, bulkArgs: readonly (readonly JsonValue[])[]): Promise<BulkItem[]> {
    const job = this.#store.jobs.start(stmt, session.user, session.id, this.#node)
    try {
      const statement = this.#translate(session, stmt)
      if (bulkArgs.length === 0) return []
      if (statement.kind === 'sql') return await runBulk(this.#store, session, job, statement, bulkArgs, stmt)
      const items: BulkItem[] = []
      for (const args of bulkArgs) {
        const result = await this.#run(session, job, statement, args, stmt)
        if (result.kind === 'rows') throw unsupportedFeature('Bulk operations for statements that return result sets is not supported')
        items.push({ rowcount: result.rowcount })
      }
      return items
    } catch (error) {
      throw toCrateError(error, this.#store, session, stmt)
    } finally {
      this.#store.jobs.finish(job)
    }
  }

  #requireTable(name: QualifiedName): void {
    const catalog = this.#store.catalog
    if (catalog.table(name) !== undefined) return
    if (!catalog.hasSchema(name.schema)) throw schemaUnknown(name.schema)
    throw relationUnknown(`${name.schema}.${name.name}`)
  }

  async #run(session: HttpSession, job: Job, statement: CrateStatement, args: readonly JsonValue[], stmt: string): Promise<StatementResult> {
    const store = this.#store
    switch (statement.kind) {
      case 'sql':
        return runSql(store, session, job, statement, args, stmt)
      case 'begin':
        session.inTransaction = true
        return { kind: 'count', rowcount: 0 }
      case 'commit':
        session.inTransaction = false
        for (const [name, cursor] of session.cursors) if (!cursor.hold) session.cursors.delete(name)
        return { kind: 'count', rowcount: 0 }
      case 'noop':
        return { kind: 'count', rowcount: statement.rowcount }
      case 'kill':
        return { kind: 'count', rowcount: store.jobs.kill(job, statement.jobId === '$1' || statement.jobId === '?' ? jsonString(args[0]) : statement.jobId) }
      case 'refresh':
      case 'optimize': {
        for (const table of statement.tables) this.#requireTable(table)
        const infos = statement.tables.map((t) => store.catalog.table(t)!)
        if (statement.kind === 'refresh') await store.run(job, () => store.refresh(infos))
        return { kind: 'count', rowcount: statement.tables.length }
      }
      case 'declare': {
        if (!statement.hold && !session.inTransaction) throw unsupportedFeature('DECLARE CURSOR can only be used in transaction blocks')
        if (session.cursors.has(statement.name)) throw new CrateError('IllegalStateException', `Cursor \`${statement.name}\` already exists`, 5000)
        const { prepared, result } = await executeSql(store, session, job, statement.query, args, stmt)
        if (prepared.fields === undefined) throw parseError('DECLARE needs a query that returns rows')
        const rows = buildRows(prepared.fields, result.rows, statement.query, store.catalog)
        session.cursors.set(statement.name, new MaterializedCursor({ name: statement.name, cols: rows.cols, colTypes: rows.colTypes, rows: rows.rows, scroll: statement.scroll, hold: statement.hold }))
        return { kind: 'count', rowcount: 0 }
      }
      case 'fetch': {
        const cursor = session.cursors.get(statement.name)
        if (cursor === undefined) throw noSuchCursor(statement.name)
        const rows = cursor.fetch(statement.direction)
        if (statement.move) return { kind: 'count', rowcount: rows.length }
        return { kind: 'rows', cols: cursor.cols, colTypes: cursor.colTypes, rows }
      }
      case 'close':
        if (statement.name === undefined) session.cursors.clear()
        else if (!session.cursors.delete(statement.name)) throw noSuchCursor(statement.name)
        return { kind: 'count', rowcount: 0 }
      case 'set':
        if (statement.name === 'search_path') {
          const path = statement.values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '' && v !== 'pg_catalog')
          session.searchPath = path.length > 0 ? path : ['doc']
        } else session.settings.set(statement.name.toLowerCase(), statement.values.join(', '))
        return { kind: 'count', rowcount: 0 }
      case 'reset':
        if (statement.name === undefined) session.settings.clear()
        else if (statement.name === 'search_path') session.searchPath = ['doc']
        else session.settings.delete(statement.name.toLowerCase())
        return { kind: 'count', rowcount: 0 }
      case 'show': {
        const name = statement.name.toLowerCase()
        const value = name === 'search_path' ? ['pg_catalog', ...session.searchPath].join(', ') : (session.settings.get(name) ?? DEFAULT_SETTINGS[name])
        if (value === undefined) throw parseError(`Unknown session setting name '${statement.name}'.`)
        return { kind: 'rows', cols: [name], colTypes: [4], rows: [`[${JSON.stringify(value)}]`] }
      }
      case 'create-blob-table': {
        if (store.blobs.has(statement.name)) {
          if (statement.ifNotExists) return { kind: 'count', rowcount: 0 }
          throw new CrateError('RelationAlreadyExists', `Relation 'blob.${statement.name}' already exists.`, 4093)
        }
        await store.run(job, async (wire) => {
          await store.useSession(session.schema, false, session.user)
          await wire.script(`CREATE TABLE blob.${quoteIdent(statement.name)} (digest text PRIMARY KEY, last_modified timestamptz)`)
          await store.reloadCatalog()
        })
        store.blobs.create(statement.name)
        return { kind: 'count', rowcount: 1 }
      }
      case 'drop-blob-table': {
        if (!store.blobs.has(statement.name)) {
          if (statement.ifExists) return { kind: 'count', rowcount: 0 }
          throw relationUnknown(`blob.${statement.name}`)
        }
        store.blobs.drop(statement.name)
        await store.run(job, async (wire) => {
          await store.useSession(session.schema, false, session.user)
          await wire.script(`DROP TABLE IF EXISTS blob.${quoteIdent(statement.name)}`)
          await store.reloadCatalog()
        })
        return { kind: 'count', rowcount: 1 }
      }
      case 'create-table': {
        const definition = statement.definition
        if (store.catalog.table(definition.table) !== undefined) {
          if (definition.ifNotExists) return { kind: 'count', rowcount: 0 }
          throw new CrateError('RelationAlreadyExists', `Relation '${definition.table.schema}.${definition.table.name}' already exists.`, 4093)
        }
        await store.run(job, async (wire) => {
          await store.useSession(session.schema, false, session.user)
          try {
            await wire.script(createTableScript(definition, { visibility: store.visibilityEnabled }))
          } finally {
            await store.reloadCatalog()
          }
        })
        return { kind: 'count', rowcount: 1 }
      }
      case 'create-table-as': {
        if (store.catalog.table(statement.table) !== undefined) {
          if (statement.ifNotExists) return { kind: 'count', rowcount: 0 }
          throw new CrateError('RelationAlreadyExists', `Relation '${statement.table.schema}.${statement.table.name}' already exists.`, 4093)
        }
        const table = qualified(statement.table)
        const query = { ...statement.query, sql: `CREATE TABLE ${table} AS ${statement.query.sql}`, verb: 'CREATE', ddl: true, ensureSchema: statement.table.schema }
        const { result } = await executeSql(store, session, job, query, args, stmt)
        await store.run(job, async (wire) => {
          await store.useSession(session.schema, false, session.user)
          const unstorable = await unstorableColumnType(store, table)
          if (unstorable !== undefined) {
            await wire.script(`DROP TABLE ${table}`)
            await store.reloadCatalog()
            throw unsupportedFeature(`Type \`${unstorable}\` does not support storage`)
          }
          await wire.script(
            [
              `ALTER TABLE ${table} ADD COLUMN "_id" text DEFAULT crate_fn.gen_random_text_uuid(), ${SYSTEM_COLUMN_DEFINITIONS.map((c) => `ADD COLUMN ${c}`).join(', ')}`,
              systemTriggerScript(table),
            ].join(';\n'),
          )
          await store.enableVisibility(table)
          await store.reloadCatalog()
        })
        return { kind: 'count', rowcount: Number(result.tag.split(' ').pop()) || 0 }
      }
      case 'add-columns': {
        this.#requireTable(statement.table)
        const table = qualified(statement.table)
        const adds = statement.columns.map(
          (c) =>
            `ADD COLUMN ${quoteIdent(c.name)} ${c.type.pg}${c.notNull ? ' NOT NULL' : ''}${c.defaultExpression === undefined ? '' : ` DEFAULT ${c.defaultExpression}`}${c.checks.map((check) => ` ${check}`).join('')}`,
        )
        const comments = statement.columns.map((c) => `COMMENT ON COLUMN ${table}.${quoteIdent(c.name)} IS ${quoteLiteral(JSON.stringify({ type: c.type.crate }))}`)
        comments.push(...statement.columns.flatMap((c) => millisecondScript(statement.table, [c], `_${c.name}`)))
        await store.run(job, async (wire) => {
          await store.useSession(session.schema, false, session.user)
          try {
            await wire.script([`ALTER TABLE ${table} ${adds.join(', ')}`, ...comments].join(';\n'))
          } finally {
            await store.reloadCatalog()
          }
        })
        return { kind: 'count', rowcount: -1 }
      }
    }
  }
}

/** PostgreSQL result types CrateDB cannot store in a column, by their CrateDB names (see `isStorable`). */
const UNSTORABLE_PG_TYPES: Readonly<Record<string, string>> = {
  interval: 'interval',
  'time with time zone': 'time with time zone',
  json: 'json',
  regclass: 'regclass',
  regproc: 'regproc',
  regtype: 'regtype',
  oidvector: 'oidvector',
  record: 'record',
}

/**
 * The CrateDB name of the first column type of `table` (just made by CREATE TABLE … AS) that CrateDB could not
 * store (`interval`, `interval_array` …), or `undefined`. Call inside the store's lane.
 */
async function unstorableColumnType(store: CrateStore, table: string): Promise<string | undefined> {
  const rows = await store.wire.rows(
    `SELECT format_type(atttypid, atttypmod) AS t FROM pg_attribute WHERE attrelid = ${quoteLiteral(table)}::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
  )
  for (const row of rows) {
    const pg = row['t'] ?? ''
    const base = pg.replace(/(\[\])+$/, '')
    const crate = UNSTORABLE_PG_TYPES[base.replace(/\(\d+\)/, '')]
    if (crate !== undefined) return `${crate}${'_array'.repeat((pg.length - base.length) / 2)}`
  }
  return undefined
}

function jsonString(value: JsonValue | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined
}
