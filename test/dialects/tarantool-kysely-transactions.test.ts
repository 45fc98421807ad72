import { Kysely } from 'kysely'
import { describe, expect, it } from 'vitest'
import {
  TarantoolDialect,
  TarantoolDialectError,
  TransactionsNotSupportedError,
  type TarantoolSqlClient,
  type TarantoolSqlResult,
  type TarantoolSqlStream,
} from '../../dialects/tarantool/kysely/index.ts'

// No server: the Tarantool 2.6 test server has no IPROTO streams, so the 2.10+ transaction path (one stream
// pinned per Kysely connection) is checked against a recording client with the driver's shape.
interface Call {
  on: string
  what: string
}

function recordingClient(commitError?: Error): { client: TarantoolSqlClient; calls: Call[] } {
  const calls: Call[] = []
  let streams = 0
  const result = (sql: string): TarantoolSqlResult =>
    sql.startsWith('select') ? { metadata: [{ name: 'id', type: 'integer' }], rows: [[1]], rowCount: 0, autoincrementIds: [] } : { metadata: [], rows: [], rowCount: 1, autoincrementIds: [7] }
  const client: TarantoolSqlClient = {
    async execute(sql) {
      calls.push({ on: 'pool', what: sql })
      return result(sql)
    },
    async begin(options) {
      const name = `stream${++streams}`
      calls.push({ on: name, what: `begin ${options?.isolation ?? 'default'}` })
      const stream: TarantoolSqlStream = {
        async execute(sql) {
          calls.push({ on: name, what: sql })
          return result(sql)
        },
        async commit() {
          calls.push({ on: name, what: 'commit' })
          if (commitError) throw commitError
        },
        async rollback() {
          calls.push({ on: name, what: 'rollback' })
        },
      }
      return stream
    },
  }
  return { client, calls }
}

interface Database {
  t: { id: number }
}

describe('Kysely dialect transactions over IPROTO streams (2.10+ path)', () => {
  it('runs every statement of a transaction in one stream and commits it', async () => {
    const { client, calls } = recordingClient()
    const db = new Kysely<Database>({ dialect: new TarantoolDialect({ pool: client }) })
    const insertId = await db.transaction().execute(async (trx) => {
      const r = await trx.insertInto('t').values({ id: 1 }).executeTakeFirstOrThrow()
      await trx.selectFrom('t').select('id').execute()
      return r.insertId
    })
    await db.selectFrom('t').select('id').execute()
    expect(insertId).toBe(7n)
    expect(calls).toEqual([
      { on: 'stream1', what: 'begin default' },
      { on: 'stream1', what: 'insert into "t" ("id") values (?)' },
      { on: 'stream1', what: 'select "id" from "t"' },
      { on: 'stream1', what: 'commit' },
      { on: 'pool', what: 'select "id" from "t"' },
    ])
  })

  it('a failed COMMIT reaches the caller as itself, not as a follow-up rollback error', async () => {
    const conflict = new Error('Transaction has been aborted by conflict')
    const { client, calls } = recordingClient(conflict)
    const db = new Kysely<Database>({ dialect: new TarantoolDialect({ pool: client }) })
    await expect(db.transaction().execute(async (trx) => trx.insertInto('t').values({ id: 1 }).execute())).rejects.toBe(conflict)
    const trx = await db.startTransaction().execute()
    await trx.insertInto('t').values({ id: 2 }).execute()
    await expect(trx.commit().execute()).rejects.toBe(conflict)
    expect(calls.filter((c) => c.what === 'commit')).toHaveLength(2)
    // The connection is free again: a later transaction gets a fresh stream.
    await expect(db.transaction().execute(async () => 1)).rejects.toBe(conflict)
    expect(calls.filter((c) => c.what.startsWith('begin'))).toHaveLength(3)
  })

  it('rolls the stream back when the callback throws', async () => {
    const { client, calls } = recordingClient()
    const db = new Kysely<Database>({ dialect: new TarantoolDialect({ pool: client }) })
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('t').values({ id: 1 }).execute()
        throw new Error('boom')
      }),
    ).rejects.toThrow('boom')
    expect(calls.map((c) => `${c.on} ${c.what}`)).toEqual(['stream1 begin default', 'stream1 insert into "t" ("id") values (?)', 'stream1 rollback'])
  })

  it('maps read committed, refuses other isolation levels, and sends savepoints in the stream', async () => {
    const { client, calls } = recordingClient()
    const db = new Kysely<Database>({ dialect: new TarantoolDialect({ pool: client }) })
    await db.transaction().setIsolationLevel('read committed').execute(async () => {})
    expect(calls[0]).toEqual({ on: 'stream1', what: 'begin readCommitted' })
    await expect(db.transaction().setIsolationLevel('serializable').execute(async () => {})).rejects.toBeInstanceOf(TarantoolDialectError)

    calls.length = 0
    const trx = await db.startTransaction().execute()
    const sp = await trx.savepoint('before_x').execute()
    await sp.rollbackToSavepoint('before_x').execute()
    await trx.commit().execute()
    expect(calls.map((c) => `${c.on} ${c.what}`)).toEqual([
      'stream2 begin default',
      'stream2 savepoint "before_x"',
      'stream2 rollback to savepoint "before_x"',
      'stream2 commit',
    ])
  })

  it('throws TransactionsNotSupportedError when the client cannot begin', async () => {
    const db = new Kysely<Database>({
      dialect: new TarantoolDialect({ pool: { execute: async () => ({ metadata: [], rows: [], rowCount: 0, autoincrementIds: [] }), serverVersion: '2.6.0' } }),
    })
    const err = await db.transaction().execute(async () => {}).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(TransactionsNotSupportedError)
    expect((err as Error).message).toContain('2.6.0')
  })
})
