import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, type Connection, type Tuple } from '../../src/tarantool/index.ts'
import { provisionTarantool, type ProvisionedTarantool } from '../../src/testing/tarantool/index.ts'

// scan() must return exactly what one select() with the same key and iterator returns: the server's iterator
// decides what matches (collations, type rules), never a JS re-check of the key.

let server: ProvisionedTarantool
let conn: Connection

beforeAll(async () => {
  server = await provisionTarantool()
  conn = await connect(server.uri)
  await conn.eval(`
    local function space(name, parts, extra)
      local s = box.schema.space.create(name, { if_not_exists = true })
      s:create_index('pk', { parts = parts, if_not_exists = true })
      if extra then extra(s) end
      s:truncate()
      return s
    end
    -- unique (name unicode_ci, n): every name in three cases, 25 tuples a name
    local ci = space('scan_ci', { { 1, 'string', collation = 'unicode_ci' }, { 2, 'unsigned' } })
    for _, name in ipairs({ 'alic', 'alice', 'alicf', 'bob', 'carol' }) do
      local cases = { name, name:upper(), name:sub(1, 1):upper() .. name:sub(2) }
      for n = 1, 25 do ci:insert({ cases[n % 3 + 1], n }) end
    end
    -- unique (name unicode_ci): one tuple, stored as 'Alice'
    local ci1 = space('scan_ci1', { { 1, 'string', collation = 'unicode_ci' } })
    for _, name in ipairs({ 'Alice', 'bob', 'Carol' }) do ci1:insert({ name }) end
    -- unique (word unicode, n): composed and decomposed forms of 'café' are equal, 'Café' is not
    local uni = space('scan_unicode', { { 1, 'string', collation = 'unicode' }, { 2, 'unsigned' } })
    for n = 1, 30 do
      local forms = { 'caf\\u{e9}', 'cafe\\u{301}', 'Caf\\u{e9}', 'cafe', 'cafes' }
      uni:insert({ forms[n % 5 + 1], n })
    end
    -- unique (a unicode_ci, b unicode_ci, c unsigned): prefixes of one and two parts
    local three = space('scan_three', { { 1, 'string', collation = 'unicode_ci' }, { 2, 'string', collation = 'unicode_ci' }, { 3, 'unsigned' } })
    for i = 1, 120 do
      local a = ({ 'x', 'X', 'y' })[i % 3 + 1]
      local b = ({ 'p', 'P', 'q', 'Q' })[i % 4 + 1]
      three:insert({ a, b, i })
    end
    -- unique index with a nullable part: several tuples may share a key holding null
    local nul = space('scan_null', { { 1, 'unsigned' } }, function(s)
      s:create_index('u', { parts = { { 2, 'string', is_nullable = true }, { 3, 'unsigned' } }, unique = true, if_not_exists = true })
    end)
    for i = 1, 40 do nul:insert({ i, i % 2 == 0 and box.NULL or 'v', i % 2 == 0 and i % 3 or i }) end
  `)
})

afterAll(async () => {
  await conn?.close()
  await server?.stop()
})

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const x of it) out.push(x)
  return out
}

/** scan() with every batch size from 1 to past the match count gives what select() gives, in the same order. */
async function expectSameAsSelect(space: string, key: unknown[], options: { iterator?: 'eq' | 'req' | 'ge' | 'gt' | 'le' | 'lt' | 'all'; index?: string } = {}): Promise<Tuple[]> {
  const expected = await conn.select(space, key, { ...options, limit: 1_000_000 })
  for (const batchSize of [1, 2, 3, 4, 7, expected.length, expected.length + 1, 1000]) {
    if (batchSize < 1) continue
    expect(await collect(conn.scan(space, key, { ...options, batchSize })), `batchSize ${batchSize}`).toEqual(expected)
  }
  return expected
}

describe('scan on collated indexes', () => {
  it('unicode_ci, partial key: scan(["alice"]) returns the 25 tuples select returns, in every case', async () => {
    const rows = await expectSameAsSelect('scan_ci', ['alice'])
    expect(rows).toHaveLength(25)
    expect(new Set(rows.map((t) => t[0]))).toEqual(new Set(['alice', 'ALICE', 'Alice']))
    expect(await expectSameAsSelect('scan_ci', ['ALICE'], { iterator: 'req' })).toHaveLength(25)
    expect(await expectSameAsSelect('scan_ci', ['Bob'])).toHaveLength(25)
    // 'alic' and 'alicf' are neighbours of 'alice' in the index: none of them may leak in.
    expect(await expectSameAsSelect('scan_ci', ['aLiC'])).toHaveLength(25)
    expect(await expectSameAsSelect('scan_ci', ['nobody'])).toHaveLength(0)
  })

  it('unicode_ci, full key: scan finds the one tuple stored in another case', async () => {
    expect(await collect(conn.scan('scan_ci1', ['alice']))).toEqual([['Alice']])
    expect(await collect(conn.scan('scan_ci1', ['CAROL'], { iterator: 'req', batchSize: 1 }))).toEqual([['Carol']])
    expect(await collect(conn.scan('scan_ci', ['alice', 5], { batchSize: 1 }))).toEqual(await conn.select('scan_ci', ['alice', 5]))
  })

  it('unicode: composed and decomposed "café" match each other, "Café" and "cafe" do not', async () => {
    const rows = await expectSameAsSelect('scan_unicode', ['caf\u00e9'])
    expect(rows).toHaveLength(12)
    expect(new Set(rows.map((t) => t[0]))).toEqual(new Set(['caf\u00e9', 'cafe\u0301']))
    expect(await expectSameAsSelect('scan_unicode', ['cafe\u0301'], { iterator: 'req' })).toHaveLength(12)
    expect(await expectSameAsSelect('scan_unicode', ['Caf\u00e9'])).toHaveLength(6)
  })

  it('composite keys: prefixes of one and two collated parts, forwards and backwards', async () => {
    expect(await expectSameAsSelect('scan_three', ['X'])).toHaveLength(80)
    expect(await expectSameAsSelect('scan_three', ['x', 'P'])).toHaveLength(40)
    expect(await expectSameAsSelect('scan_three', ['Y', 'q'], { iterator: 'req' })).toHaveLength(20)
  })

  it('range iterators from a collated key', async () => {
    await expectSameAsSelect('scan_ci', ['ALICE'], { iterator: 'gt' })
    await expectSameAsSelect('scan_ci', ['bob'], { iterator: 'le' })
    await expectSameAsSelect('scan_unicode', ['cafe\u0301'], { iterator: 'ge' })
  })

  it('a unique index with a nullable part: tuples sharing a key with null are all returned', async () => {
    const rows = await expectSameAsSelect('scan_null', [], { index: 'u' })
    expect(rows).toHaveLength(40)
    expect(await expectSameAsSelect('scan_null', [null], { index: 'u' })).toHaveLength(20)
  })
})
