import { eq } from 'drizzle-orm'
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { describe, expect, it } from 'vitest'
import { drizzle, TransactionsNotSupportedError, type TarantoolSqlClient, type TarantoolSqlResult, type TarantoolSqlStream } from '../../dialects/tarantool/drizzle/index.ts'

// No server: the Tarantool 2.6 test server has no IPROTO streams, so the 2.10+ transaction path (all of a
// transaction's statements in one stream, savepoints for nesting) is checked against a recording client.
function recordingClient(): { client: TarantoolSqlClient; calls: string[] } {
  const calls: string[] = []
  let streams = 0
  const result = (sql: string): TarantoolSqlResult =>
    sql.startsWith('select') ? { metadata: [{ name: 'id', type: 'integer' }, { name: 'name', type: 'string' }], rows: [[1, 'a']], rowCount: 0, autoincrementIds: [] } : { metadata: [], rows: [], rowCount: 1, autoincrementIds: [1] }
  const client: TarantoolSqlClient = {
    async execute(sql) {
      calls.push(`pool: ${sql}`)
      return result(sql)
    },
    async begin() {
      const name = `stream${++streams}`
      calls.push(`${name}: begin`)
      const stream: TarantoolSqlStream = {
        async execute(sql) {
          calls.push(`${name}: ${sql}`)
          return result(sql)
        },
        async commit() {
          calls.push(`${name}: commit`)
        },
        async rollback() {
          calls.push(`${name}: rollback`)
        },
      }
      return stream
    },
  }
  return { client, calls }
}

const items = sqliteTable('items', { id: integer('id').primaryKey(), name: text('name').notNull() })

describe('Drizzle transactions over IPROTO streams (2.10+ path)', () => {
  it('runs the transaction in one stream, nests with savepoints, commits', async () => {
    const { client, calls } = recordingClient()
    const db = drizzle(client)
    const rows = await db.transaction(async (tx) => {
      await tx.insert(items).values({ id: 1, name: 'a' })
      await tx
        .transaction(async (inner) => {
          await inner.update(items).set({ name: 'b' }).where(eq(items.id, 1))
          throw new Error('undo inner')
        })
        .catch(() => {})
      return tx.select().from(items)
    })
    expect(rows).toEqual([{ id: 1, name: 'a' }])
    expect(calls).toEqual([
      'stream1: begin',
      'stream1: insert into "items" ("id", "name") values (?, ?)',
      'stream1: savepoint "sp0"',
      'stream1: update "items" set "name" = ? where "items"."id" = ?',
      'stream1: rollback to savepoint "sp0"',
      'stream1: select "id", "name" from "items"',
      'stream1: commit',
    ])
  })

  it('rolls back and rethrows when the callback throws', async () => {
    const { client, calls } = recordingClient()
    const db = drizzle(client)
    await expect(
      db.transaction(async (tx) => {
        await tx.insert(items).values({ id: 2, name: 'x' })
        tx.rollback()
      }),
    ).rejects.toThrow(/Rollback/)
    expect(calls).toEqual(['stream1: begin', 'stream1: insert into "items" ("id", "name") values (?, ?)', 'stream1: rollback'])
  })

  it('throws TransactionsNotSupportedError for a client without begin()', async () => {
    const db = drizzle({ execute: async () => ({ metadata: [], rows: [], rowCount: 0, autoincrementIds: [] }), serverVersion: '2.6.0' })
    await expect(db.transaction(async () => {})).rejects.toBeInstanceOf(TransactionsNotSupportedError)
  })
})
