// Pins the result types of the public API. Nothing here runs: `tsc -p test/types/tsconfig.json` (part of
// `npm test`) fails when a type drifts. `Is<A, B>` is exact type equality, so a result widening to `any` or
// `unknown` fails too; `@ts-expect-error` lines fail when what they forbid becomes allowed.
import type { EventEmitter } from 'node:events'
import { Kysely, type Generated } from 'kysely'
import { integer, sqliteTable, text as sqliteText } from 'drizzle-orm/sqlite-core'
import { pgTable, text, doublePrecision } from 'drizzle-orm/pg-core'
import { connect as connectTarantool, createPool, type Connection, type ConnectionEvent, type ConnectionEventMap, type SqlResult, TarantoolError } from 'dialectry/tarantool'
import { connect as connectCrateDB, type CrateDBClient, type ExecuteManyResult, type ExecuteResult, CrateDBError } from 'dialectry/cratedb'
import { TarantoolDialect } from 'dialectry/tarantool/kysely'
import { CrateDBDialect } from 'dialectry/cratedb/kysely'
import { drizzle as drizzleTarantool, type TarantoolRunResult } from 'dialectry/tarantool/drizzle'
import { drizzle as drizzleCrateDB } from 'dialectry/cratedb/drizzle'
import { startCrateDB, provisionCrateDB, type LocalCrateDB, CrateDBProvisionError } from 'dialectry/testing/cratedb'
import { provisionTarantool, TarantoolProvisionError } from 'dialectry/testing/tarantool'
import { DialectryError, UnsupportedNodeVersionError } from 'dialectry/errors'

type Is<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
declare function check<T extends true>(): void
declare function value<T>(): T

export async function tarantoolDriver(): Promise<void> {
  const conn = await connectTarantool('tarantool://app:secret@127.0.0.1:3301')
  check<Is<typeof conn, Connection>>()
  const result = await conn.execute('SELECT 1')
  check<Is<typeof result, SqlResult<unknown[]>>>()
  check<Is<typeof result.rows, unknown[][]>>()
  check<Is<typeof result.rowCount, number>>()
  const typed = await conn.execute<[number, string]>('SELECT "id", "name" FROM "users"')
  check<Is<typeof typed.rows, [number, string][]>>()
  check<Is<Awaited<ReturnType<typeof conn.eval>>, unknown[]>>()
  check<Is<Awaited<ReturnType<typeof conn.call<[number]>>>, [number]>>()
  check<Is<typeof conn.events, EventEmitter<ConnectionEventMap>>>()
  conn.events.on('event', (event) => {
    check<Is<typeof event, ConnectionEvent>>()
  })
  const pool = await createPool(['127.0.0.1:3301', '127.0.0.1:3302'])
  check<Is<Awaited<ReturnType<typeof pool.execute>>, SqlResult<unknown[]>>>()
}

export async function crateDBDriver(): Promise<void> {
  const client = connectCrateDB('http://localhost:4200')
  check<Is<typeof client, CrateDBClient<'array'>>>()
  const arrays = await client.execute('SELECT 1')
  check<Is<typeof arrays, ExecuteResult<unknown[]>>>()
  const objects = await client.execute('SELECT 1 AS one', [], { rowMode: 'object' })
  check<Is<typeof objects.rows, Record<string, unknown>[]>>()
  const explicitArrays = await client.execute('SELECT 1', undefined, { rowMode: 'array', timeout: 1000 })
  check<Is<typeof explicitArrays.rows, unknown[][]>>()
  const named = await client.execute<{ one: number }>('SELECT 1 AS one', [], { rowMode: 'object' })
  check<Is<typeof named.rows, { one: number }[]>>()
  const mode = value<'array' | 'object'>()
  const either = await client.execute('SELECT 1', [], { rowMode: mode })
  check<Is<typeof either.rows, (unknown[] | Record<string, unknown>)[]>>()
  for await (const row of client.stream('SELECT 1', [], { rowMode: 'object', batchSize: 10 })) check<Is<typeof row, Record<string, unknown>>>()
  for await (const row of client.stream('SELECT 1')) check<Is<typeof row, unknown[]>>()

  const objectClient = connectCrateDB('http://localhost:4200', { rowMode: 'object' })
  check<Is<typeof objectClient, CrateDBClient<'object'>>>()
  const defaultObjects = await objectClient.execute('SELECT 1 AS one')
  check<Is<typeof defaultObjects.rows, Record<string, unknown>[]>>()
  const askedArrays = await objectClient.execute('SELECT 1', [], { rowMode: 'array' })
  check<Is<typeof askedArrays.rows, unknown[][]>>()
  for await (const row of objectClient.stream('SELECT 1')) check<Is<typeof row, Record<string, unknown>>>()
  const optionsOnly = connectCrateDB({ servers: ['http://a:4200'], rowMode: 'object' })
  check<Is<typeof optionsOnly, CrateDBClient<'object'>>>()

  const bulk = await client.executeMany('INSERT INTO t (id) VALUES (?)', [[1], [2]])
  check<Is<typeof bulk, ExecuteManyResult>>()
  // @ts-expect-error rowMode takes 'array' or 'object'
  await client.execute('SELECT 1', [], { rowMode: 'objects' })
}

interface Database {
  users: { id: Generated<number>; name: string; score: number | null }
}

export async function kyselyDialects(): Promise<void> {
  const pool = await createPool('127.0.0.1:3301')
  const tarantool = new Kysely<Database>({ dialect: new TarantoolDialect({ pool }) })
  const t = await tarantool.selectFrom('users').select(['id', 'name']).execute()
  check<Is<typeof t, { id: number; name: string }[]>>()
  const crate = new Kysely<Database>({ dialect: new CrateDBDialect({ client: connectCrateDB('http://localhost:4200') }) })
  const c = await crate.selectFrom('users').selectAll().executeTakeFirst()
  check<Is<typeof c, { id: number; name: string; score: number | null } | undefined>>()
  // A client made with object rows still drives the dialect (it asks for the row shape it needs).
  new Kysely<Database>({ dialect: new CrateDBDialect({ client: connectCrateDB('http://localhost:4200', { rowMode: 'object' }) }) })
  // db.destroy() passes `close` to the client's close().
  new CrateDBDialect({ client: () => connectCrateDB('http://localhost:4200'), close: { timeout: 2_000 } })
  new CrateDBDialect({ client: connectCrateDB('http://localhost:4200'), close: { abort: true } })
  // @ts-expect-error close takes { timeout?, abort? }
  new CrateDBDialect({ client: connectCrateDB('http://localhost:4200'), close: { timeout: '2s' } })
}

const tUsers = sqliteTable('users', { id: integer('id').primaryKey({ autoIncrement: true }), name: sqliteText('name').notNull() })
const cUsers = pgTable('users', { id: text('id').primaryKey(), name: text('name').notNull(), score: doublePrecision('score') })

export async function drizzleDrivers(): Promise<void> {
  const tdb = drizzleTarantool(await createPool('127.0.0.1:3301'))
  const trows = await tdb.select().from(tUsers)
  check<Is<typeof trows, { id: number; name: string }[]>>()
  const run = await tdb.insert(tUsers).values({ name: 'Ann' }).run()
  check<Is<typeof run, TarantoolRunResult>>()
  check<Is<typeof run.autoincrementIds, readonly (number | bigint)[]>>()
  const cdb = drizzleCrateDB(connectCrateDB('http://localhost:4200'))
  const crows = await cdb.select().from(cUsers)
  check<Is<typeof crows, { id: string; name: string; score: number | null }[]>>()
  drizzleCrateDB(connectCrateDB('http://localhost:4200', { rowMode: 'object' }))
}

export async function testingAndErrors(): Promise<void> {
  const crate = await startCrateDB({ nodes: 2 })
  check<Is<typeof crate, LocalCrateDB>>()
  check<Is<typeof crate.url, string>>()
  const provisionedCrate = await provisionCrateDB()
  check<Is<typeof provisionedCrate.url, string>>()
  const provisionedTarantool = await provisionTarantool()
  check<Is<typeof provisionedTarantool.uri, string>>()
  const error = value<unknown>()
  if (error instanceof DialectryError) {
    check<Is<typeof error.code, string | number>>()
    check<Is<typeof error.retryable, boolean>>()
  }
  const bases: (typeof DialectryError)[] = [TarantoolError, CrateDBError]
  void bases
  check<Is<CrateDBProvisionError extends DialectryError ? true : false, true>>()
  check<Is<TarantoolProvisionError extends DialectryError ? true : false, true>>()
  check<Is<UnsupportedNodeVersionError['required'], string>>()
}
