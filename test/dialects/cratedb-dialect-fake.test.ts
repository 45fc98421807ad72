import { Kysely, sql } from 'kysely'
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { acquireOccLock, releaseOccLock, type CrateDBStatementRunner } from '../../dialects/cratedb/cratedb-occ-lock.ts'
import {
  CrateDBAdapter,
  CrateDBDialect,
  CrateDBDialectError,
  CrateDBMigrationLockTimeoutError,
  CrateDBStreamingNotSupportedError,
  CrateDBTransactionsNotSupportedError,
  type CrateDBSqlClient,
  type CrateDBSqlResult,
} from '../../dialects/cratedb/kysely/index.ts'
import { connect } from '../../src/cratedb/index.ts'

// Unit tests against fake clients: result mapping, streaming, transactions and the OCC lock logic.

/** The driver's client fits the structural interface the dialects are written against (compile-time check). */
export const driverClientFits: (url: string) => CrateDBSqlClient = (url) => connect(url)

function recordingClient(answer: (sql: string, args: readonly unknown[]) => CrateDBSqlResult) {
  const calls: { sql: string; args: readonly unknown[]; options: unknown }[] = []
  const client: CrateDBSqlClient = {
    execute: async (sql, args = [], options) => {
      calls.push({ sql, args, options })
      return answer(sql, args)
    },
  }
  return { client, calls }
}

describe('CrateDBConnection result mapping (fake client)', () => {
  it('builds object rows from cols and array rows, and asks the driver for array rows', async () => {
    const { client, calls } = recordingClient(() => ({ cols: ['id', 'Name', 'loc'], rows: [['a', 'Ann', [9.7, 47.4]]], rowCount: 1 }))
    const db = new Kysely<any>({ dialect: new CrateDBDialect({ client }) })
    const rows = await db.selectFrom('users').select(['id', 'Name', 'loc']).where('id', '=', 'a').execute()
    expect(rows).toEqual([{ id: 'a', Name: 'Ann', loc: [9.7, 47.4] }])
    expect(calls[0]).toMatchObject({ sql: 'select "id", "Name", "loc" from "users" where "id" = ?', args: ['a'], options: { rowMode: 'array' } })
  })

  it('reports numAffectedRows from rowCount and ignores the [[]] row of DML answers', async () => {
    const { client } = recordingClient(() => ({ cols: [], rows: [[]], rowCount: 3 }))
    const db = new Kysely<any>({ dialect: new CrateDBDialect({ client }) })
    const upd = await db.updateTable('users').set({ name: 'x' }).executeTakeFirstOrThrow()
    expect(upd.numUpdatedRows).toBe(3n)
    const del = await db.deleteFrom('users').executeTakeFirstOrThrow()
    expect(del.numDeletedRows).toBe(3n)
    const ins = await db.insertInto('users').values({ id: 'a' }).executeTakeFirstOrThrow()
    expect(ins.numInsertedOrUpdatedRows).toBe(3n)
    expect(ins.insertId).toBeUndefined()
  })

  it('reports numAffectedRows -1n when CrateDB cannot tell the row count', async () => {
    const { client } = recordingClient(() => ({ cols: [], rows: [[]], rowCount: -1 }))
    const db = new Kysely<any>({ dialect: new CrateDBDialect({ client }) })
    const del = await db.deleteFrom('measurements').where('month', '=', '2024-01').executeTakeFirstOrThrow()
    expect(del.numDeletedRows).toBe(-1n)
    const raw = await sql`delete from "measurements"`.execute(db)
    expect(raw.numAffectedRows).toBe(-1n)
  })

  it('returns RETURNING rows as objects (supportsReturning)', async () => {
    const { client } = recordingClient(() => ({ cols: ['id', 'name'], rows: [['a', 'Ann']], rowCount: 1 }))
    const db = new Kysely<any>({ dialect: new CrateDBDialect({ client }) })
    expect(await db.insertInto('users').values({ id: 'a', name: 'Ann' }).returning(['id', 'name']).execute()).toEqual([{ id: 'a', name: 'Ann' }])
  })

  it('passes the AbortSignal to the driver', async () => {
    const { client, calls } = recordingClient(() => ({ cols: ['x'], rows: [[1]], rowCount: 1 }))
    const db = new Kysely<any>({ dialect: new CrateDBDialect({ client }) })
    const controller = new AbortController()
    await db.selectFrom('t').select('x').execute({ signal: controller.signal } as never)
    expect((calls[0]!.options as { signal?: AbortSignal }).signal).toBe(controller.signal)
  })
})

describe('CrateDBConnection.streamQuery (fake client)', () => {
  it('streams through the client cursor with batchSize = chunkSize and object rows, closing it on early exit', async () => {
    const seen: { sql: string; options: unknown }[] = []
    let closed = false
    const client: CrateDBSqlClient = {
      execute: () => Promise.reject(new Error('stream must not call execute')),
      stream(sql, _args, options) {
        seen.push({ sql, options })
        return (async function* () {
          try {
            for (let i = 1; i <= 10; i++) yield { n: i }
          } finally {
            closed = true
          }
        })()
      },
    }
    const db = new Kysely<any>({ dialect: new CrateDBDialect({ client }) })
    const got: number[] = []
    for await (const row of db.selectFrom('t').select('n').stream(4)) {
      got.push(row.n)
      if (got.length === 6) break
    }
    expect(got).toEqual([1, 2, 3, 4, 5, 6])
    expect(seen[0]).toMatchObject({ sql: 'select "n" from "t"', options: { batchSize: 4, rowMode: 'object' } })
    expect(closed).toBe(true)
  })

  it('throws CrateDBStreamingNotSupportedError for a client without stream()', async () => {
    const { client } = recordingClient(() => ({ cols: [], rows: [], rowCount: 0 }))
    const db = new Kysely<any>({ dialect: new CrateDBDialect({ client }) })
    await expect(
      (async () => {
        for await (const _ of db.selectFrom('t').selectAll().stream(10)) void _
      })(),
    ).rejects.toBeInstanceOf(CrateDBStreamingNotSupportedError)
  })
})

describe('CrateDBDriver transactions (fake client)', () => {
  it('refuses transaction() and startTransaction() before the callback runs or anything is sent', async () => {
    const { client, calls } = recordingClient(() => ({ cols: [], rows: [[]], rowCount: 1 }))
    const db = new Kysely<any>({ dialect: new CrateDBDialect({ client }) })
    let ran = false
    await expect(
      db.transaction().execute(async (trx) => {
        ran = true
        await trx.insertInto('t').values({ id: 1 }).execute()
      }),
    ).rejects.toBeInstanceOf(CrateDBTransactionsNotSupportedError)
    await expect(db.startTransaction().execute()).rejects.toThrow(/no transactions/)
    expect(ran).toBe(false)
    expect(calls).toEqual([])
  })

  it('destroy() closes the client', async () => {
    let closed = 0
    const client: CrateDBSqlClient = { execute: async () => ({ cols: [], rows: [], rowCount: 0 }), close: async () => void closed++ }
    const db = new Kysely<any>({ dialect: new CrateDBDialect({ client: async () => client }) })
    await sql`select 1`.execute(db)
    await db.destroy()
    expect(closed).toBe(1)
  })
})

/**
 * An in-memory lock table with CrateDB's optimistic concurrency semantics: every write bumps `_seq_no`; an
 * UPDATE whose `_seq_no`/`_primary_term` do not match changes 0 rows. Each statement yields to the event loop
 * first, so concurrent callers interleave.
 */
function occStore() {
  const rows = new Map<string, { is_locked: number; seq: number }>([['migration_lock', { is_locked: 0, seq: 0 }]])
  const log: string[] = []
  const run: CrateDBStatementRunner = async (text, params) => {
    await sleep(1)
    log.push(text)
    if (text.startsWith('select')) {
      const row = rows.get(params[0] as string)
      return { rows: row === undefined ? [] : [{ is_locked: row.is_locked, _seq_no: row.seq, _primary_term: 1 }], rowCount: row === undefined ? 0 : 1 }
    }
    const m = /^update .* set "is_locked" = ([01]) where "id" = \? and "_seq_no" = \? and "_primary_term" = \?$/.exec(text)
    if (m) {
      const row = rows.get(params[0] as string)
      if (row === undefined || row.seq !== params[1] || params[2] !== 1) return { rows: [], rowCount: 0 }
      row.is_locked = Number(m[1])
      row.seq++
      return { rows: [], rowCount: 1 }
    }
    throw new Error(`unexpected statement ${text}`)
  }
  return { rows, run, log }
}

describe('optimistic-concurrency lock (fake store)', () => {
  const target = { table: 'kysely_migration_lock', id: 'migration_lock', timeout: 2_000, pollInterval: 5 }

  it('takes the lock with a version-checked UPDATE and releases it with the version it left', async () => {
    const store = occStore()
    const version = await acquireOccLock(store.run, target)
    expect(store.rows.get('migration_lock')).toEqual({ is_locked: 1, seq: 1 })
    expect(version).toEqual({ seqNo: 1, primaryTerm: 1 })
    expect(store.log[1]).toBe('update "kysely_migration_lock" set "is_locked" = 1 where "id" = ? and "_seq_no" = ? and "_primary_term" = ?')
    expect(await releaseOccLock(store.run, target, version)).toBe(true)
    expect(store.rows.get('migration_lock')).toEqual({ is_locked: 0, seq: 2 })
  })

  it('serialises concurrent holders: the critical sections never overlap', async () => {
    const store = occStore()
    let inside = 0
    let maxInside = 0
    const order: string[] = []
    const holder = async (name: string) => {
      const version = await acquireOccLock(store.run, target)
      inside++
      maxInside = Math.max(maxInside, inside)
      order.push(`${name}+`)
      await sleep(20)
      order.push(`${name}-`)
      inside--
      await releaseOccLock(store.run, target, version)
    }
    await Promise.all([holder('a'), holder('b'), holder('c')])
    expect(maxInside).toBe(1)
    expect(order).toHaveLength(6)
    for (let i = 0; i < 6; i += 2) expect(order[i]!.slice(0, 1)).toBe(order[i + 1]!.slice(0, 1))
  })

  it('times out with the statement that clears a stale lock', async () => {
    const store = occStore()
    store.rows.set('migration_lock', { is_locked: 1, seq: 7 })
    await expect(acquireOccLock(store.run, { ...target, timeout: 30 })).rejects.toThrow(CrateDBMigrationLockTimeoutError)
    await expect(acquireOccLock(store.run, { ...target, timeout: 30 })).rejects.toThrow(
      `update "kysely_migration_lock" set "is_locked" = 0 where "id" = 'migration_lock'`,
    )
  })

  it('does not free a lock that another holder took after a manual reset', async () => {
    const store = occStore()
    const mine = await acquireOccLock(store.run, target)
    store.rows.set('migration_lock', { is_locked: 0, seq: 5 }) // someone cleared it by hand
    await acquireOccLock(store.run, target) // and another migrator took it
    expect(await releaseOccLock(store.run, target, mine)).toBe(false)
    expect(store.rows.get('migration_lock')!.is_locked).toBe(1)
  })
})

describe('CrateDBIntrospector (fake information_schema)', () => {
  const tableRows = [
    ['doc', 'quakes', 'BASE TABLE'],
    ['doc', 'remote_quakes', 'FOREIGN'],
    ['doc', 'big_quakes', 'VIEW'],
  ]
  // [schema, table, column, ordinal, data_type, is_nullable, column_default, is_generated]
  const columnRows = [
    ['doc', 'quakes', 'props', 3, 'object', 'YES', null, 'NEVER'],
    ['doc', 'quakes', "props['city']", 4, 'text', 'YES', null, 'NEVER'],
    ['doc', 'quakes', "props['geo']['lat']", 5, 'double precision', 'YES', null, 'NEVER'],
    ['doc', 'quakes', 'mag2', 2, 'double precision', 'YES', null, 'ALWAYS'],
    ['doc', 'quakes', 'id', 1, 'text', 'NO', 'gen_random_text_uuid()', 'NEVER'],
    ['doc', 'remote_quakes', 'id', 1, 'text', 'YES', null, 'NEVER'],
    ['doc', 'big_quakes', 'id', 1, 'text', 'YES', null, null],
  ]
  const { client } = recordingClient((text) => {
    if (text.includes('"information_schema"."tables"')) return { cols: ['table_schema', 'table_name', 'table_type'], rows: tableRows, rowCount: tableRows.length }
    if (text.includes('"information_schema"."columns"')) {
      const cols = ['table_schema', 'table_name', 'column_name', 'ordinal_position', 'data_type', 'is_nullable', 'column_default', 'is_generated']
      return { cols, rows: columnRows, rowCount: columnRows.length }
    }
    throw new Error(`unexpected statement ${text}`)
  })
  const db = new Kysely<any>({ dialect: new CrateDBDialect({ client }) })

  it('skips object sub-columns, marks foreign tables and views, and counts generated columns as having a default', async () => {
    const tables = await db.introspection.getTables()
    expect(tables.map((t) => [t.name, t.isView, t.isForeign])).toEqual([
      ['big_quakes', true, false],
      ['quakes', false, false],
      ['remote_quakes', false, true],
    ])
    const quakes = tables.find((t) => t.name === 'quakes')!
    expect(quakes.columns.map((c) => [c.name, c.dataType, c.isNullable, c.hasDefaultValue, c.isAutoIncrementing])).toEqual([
      ['id', 'text', false, true, false],
      ['mag2', 'double precision', true, true, false],
      ['props', 'object', true, false, false],
    ])
  })
})

describe('CrateDBAdapter (fake client)', () => {
  it('has the CrateDB feature flags', () => {
    const adapter = new CrateDBAdapter()
    expect(adapter.supportsReturning).toBe(true)
    expect(adapter.supportsTransactionalDdl).toBe(false)
    expect(adapter.supportsCreateIfNotExists).toBe(true)
    expect(adapter.supportsMultipleConnections).toBe(true)
  })

  it('refreshes the migration table after taking the lock and before releasing it', async () => {
    const store = occStore()
    const client: CrateDBSqlClient = {
      async execute(text, args = []) {
        if (text.startsWith('refresh')) {
          store.log.push(text)
          return { cols: [], rows: [[]], rowCount: 1 }
        }
        const r = await store.run(text, args)
        const cols = r.rows[0] === undefined ? (text.startsWith('select') ? ['is_locked'] : []) : Object.keys(r.rows[0])
        return { cols, rows: r.rows.map((o) => cols.map((c) => o[c])), rowCount: r.rowCount }
      },
    }
    const db = new Kysely<any>({ dialect: new CrateDBDialect({ client }) })
    const adapter = new CrateDBAdapter({ pollInterval: 5 })
    const options = { lockTable: 'kysely_migration_lock', lockRowId: 'migration_lock' }
    await adapter.acquireMigrationLock(db, options)
    const afterAcquire = [...store.log]
    await adapter.releaseMigrationLock(db, options)
    expect(afterAcquire.at(-1)).toBe('refresh table "kysely_migration"')
    expect(store.log.at(-2)).toBe('refresh table "kysely_migration"')
    expect(store.log.at(-1)).toMatch(/^update "kysely_migration_lock" set "is_locked" = 0/)
    expect(store.rows.get('migration_lock')!.is_locked).toBe(0)
  })

  it('names the missing migration table (MIGRATION_TABLE_UNKNOWN) and releases the lock it took', async () => {
    const store = occStore()
    const unknown = Object.assign(new Error("RelationUnknown[Relation 'doc.my_migrations' unknown]"), { code: 4041 })
    const client: CrateDBSqlClient = {
      async execute(text, args = []) {
        if (text.startsWith('refresh')) throw unknown
        const r = await store.run(text, args)
        const cols = r.rows[0] === undefined ? [] : Object.keys(r.rows[0])
        return { cols, rows: r.rows.map((o) => cols.map((c) => o[c])), rowCount: r.rowCount }
      },
    }
    const db = new Kysely<any>({ dialect: new CrateDBDialect({ client }) })
    const adapter = new CrateDBAdapter({ pollInterval: 5 })
    const error = await adapter.acquireMigrationLock(db, { lockTable: 'my_lock', lockRowId: 'migration_lock' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(CrateDBDialectError)
    expect(error).toMatchObject({ code: 'MIGRATION_TABLE_UNKNOWN', retryable: false, cause: unknown })
    expect((error as Error).message).toMatch(/migration table "my", which does not exist.*migrationLock\.migrationTable/)
    expect(store.rows.get('migration_lock')).toEqual({ is_locked: 0, seq: 2 }) // taken (seq 1), then released (seq 2)
    // Other refresh failures pass through unchanged.
    const other = new Error('boom')
    const failing: CrateDBSqlClient = { ...client, execute: async (text, args) => (text.startsWith('refresh') ? Promise.reject(other) : client.execute(text, args)) }
    const db2 = new Kysely<any>({ dialect: new CrateDBDialect({ client: failing }) })
    await expect(new CrateDBAdapter({ pollInterval: 5 }).acquireMigrationLock(db2, { lockTable: 'my_lock', lockRowId: 'migration_lock' })).rejects.toBe(other)
  })
})
