import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startCrateDB, type LocalCrateDB } from '../../src/testing/cratedb/index.ts'
import { sqlRequest } from './cratedb-http.ts'

// OBJECT(STRICT) refuses keys it does not declare, as CrateDB's column policy does
// (https://cratedb.com/docs/crate/reference/en/latest/general/ddl/data-types.html#object): the row fails with
// ColumnUnknownException (404/4043) naming the column as CrateDB prints it (`o['k']`); DYNAMIC and IGNORED
// objects take any key.

describe('local CrateDB server: OBJECT(STRICT)', () => {
  let crate: LocalCrateDB
  const sql = (stmt: string, args?: unknown[]) => sqlRequest(crate, args === undefined ? { stmt } : { stmt, args })

  beforeAll(async () => {
    crate = await startCrateDB()
    const create = await sql(
      `create table docs (id integer primary key, o object(strict) as (a integer, inner object(strict) as (x text), free object), ` +
        `d object(dynamic) as (a integer), i object(ignored), e object(strict))`,
    )
    expect(create.status, create.text).toBe(200)
  })
  afterAll(async () => {
    await crate?.stop()
  })

  it('accepts the declared keys, at every depth, and any key inside a nested dynamic object', async () => {
    const ok = await sql(`insert into docs (id, o) values (1, ?)`, [{ a: 1, inner: { x: 'y' }, free: { anything: 1 } }])
    expect(ok.json?.rowcount, ok.text).toBe(1)
    const read = await sql(`select o['inner']['x'], o['free']['anything'] from docs where id = 1`)
    expect(read.json?.rows, read.text).toEqual([['y', 1]])
  })

  it('refuses an undeclared key with ColumnUnknownException, in INSERT, nested objects, UPDATE and bulk rows', async () => {
    const insert = await sql(`insert into docs (id, o) values (2, {a = 1, b = 2})`)
    expect([insert.status, insert.json?.error?.code, insert.json?.error?.message]).toEqual([404, 4043, "ColumnUnknownException[Column o['b'] unknown]"])
    const nested = await sql(`insert into docs (id, o) values (3, ?)`, [{ inner: { x: 'y', z: 1 } }])
    expect(nested.json?.error?.message, nested.text).toBe("ColumnUnknownException[Column o['inner']['z'] unknown]")
    const empty = await sql(`insert into docs (id, e) values (4, ?)`, [{ k: 1 }])
    expect(empty.json?.error?.message, empty.text).toBe("ColumnUnknownException[Column e['k'] unknown]")
    expect((await sql(`select count(*) from docs where id in (2, 3, 4)`)).json?.rows).toEqual([[0]])

    const update = await sql(`update docs set o = ? where id = 1`, [{ a: 2, c: 3 }])
    expect(update.json?.error?.message, update.text).toBe("ColumnUnknownException[Column o['c'] unknown]")
    const subscript = await sql(`update docs set o['c'] = 3 where id = 1`)
    expect(subscript.json?.error?.message, subscript.text).toBe("ColumnUnknownException[Column o['c'] unknown]")
    expect((await sql(`update docs set o['a'] = 4 where id = 1`)).json?.rowcount).toBe(1)

    const bulk = await sqlRequest(crate, { stmt: 'insert into docs (id, o) values (?, ?)', bulk_args: [[5, { a: 5 }], [6, { q: 1 }]] })
    expect(bulk.status, bulk.text).toBe(200)
    expect(bulk.json?.results?.[0]?.rowcount).toBe(1)
    expect(bulk.json?.results?.[1]?.rowcount).toBe(-2)
  })

  it('lets DYNAMIC and IGNORED objects take any key', async () => {
    const ok = await sql(`insert into docs (id, d, i) values (7, ?, ?)`, [{ a: 1, extra: true }, { whatever: [1, 2] }])
    expect(ok.json?.rowcount, ok.text).toBe(1)
  })

  it('checks a strict object column added later too', async () => {
    expect((await sql(`alter table docs add column s object(strict) as (n integer)`)).status).toBe(200)
    const bad = await sql(`insert into docs (id, s) values (8, ?)`, [{ m: 1 }])
    expect(bad.json?.error?.message, bad.text).toBe("ColumnUnknownException[Column s['m'] unknown]")
    const good = await sql(`insert into docs (id, s) values (9, ?)`, [{ n: 1 }])
    expect(good.json?.rowcount, good.text).toBe(1)
  })
})
