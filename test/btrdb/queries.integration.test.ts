import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, type BTrDB, type Stream } from '../../src/btrdb/index.ts'
import { provisionBTrDB, type ProvisionedBTrDB } from '../../src/testing/btrdb/index.ts'

/**
 * Every query kind against a BTrDB: `BTRDB_ENDPOINTS` / `BTRDB_API_KEY` when set, else the local server. Expected
 * values are computed here from the inserted points, never by the server's code.
 */
let btrdb: ProvisionedBTrDB
let db: BTrDB
const run = randomUUID().slice(0, 8)
const col = (name: string): string => `dialectry_it/${run}/${name}`

// Deterministic pseudo-random points (xorshift), 20,000 of them over ~2^40 ns, with a few exact duplicate times.
function makePoints(n: number, seed: number): { times: BigInt64Array; values: Float64Array } {
  let x = seed
  const rnd = (): number => {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    return (x >>> 0) / 2 ** 32
  }
  const times = new BigInt64Array(n)
  const values = new Float64Array(n)
  const base = 1_600_000_000_000_000_000n
  for (let i = 0; i < n; i++) {
    times[i] = base + BigInt(Math.floor(rnd() * 2 ** 40))
    values[i] = Math.round(rnd() * 2000 - 1000) / 8
  }
  return { times, values }
}

interface Brute {
  count: number
  min: number
  max: number
  mean: number
  stddev: number
}
function brute(times: BigInt64Array, values: Float64Array, start: bigint, end: bigint): Brute | undefined {
  const sel: number[] = []
  for (let i = 0; i < times.length; i++) if (times[i]! >= start && times[i]! < end) sel.push(values[i]!)
  if (sel.length === 0) return undefined
  const mean = sel.reduce((a, b) => a + b, 0) / sel.length
  const variance = sel.reduce((a, b) => a + (b - mean) ** 2, 0) / sel.length
  return { count: sel.length, min: Math.min(...sel), max: Math.max(...sel), mean, stddev: Math.sqrt(variance) }
}

let stream: Stream
const data = makePoints(20_000, 12345)
const sortedIdx = Array.from(data.times.keys()).sort((a, b) => (data.times[a]! < data.times[b]! ? -1 : data.times[a]! > data.times[b]! ? 1 : 0))
const sortedTimes = sortedIdx.map((i) => data.times[i]!)
const first = sortedTimes[0]!
const last = sortedTimes[sortedTimes.length - 1]!

beforeAll(async () => {
  btrdb = await provisionBTrDB()
  db = await connect(btrdb.endpoints, { apikey: btrdb.apikey, onWarning: () => {} })
  stream = await db.create(randomUUID(), col('main'), { name: 'main', unit: 'volts' }, { site: 'lab', rating: 5 })
  await stream.insert(data)
  await stream.flush()
})
afterAll(async () => {
  db?.close()
  await btrdb?.stop()
})

describe('raw values, nearest and count', () => {
  it('values() returns exactly the points in [start, end), in time order', async () => {
    const start = sortedTimes[1000]!
    const end = sortedTimes[5000]!
    const got: bigint[] = []
    for await (const p of stream.values(start, end)) got.push(p.time)
    const want = sortedTimes.filter((t) => t >= start && t < end)
    expect(got).toEqual(want)
  })
  it('nearest() finds the first point at or after a time, or the last before it', async () => {
    const t = sortedTimes[777]!
    expect((await stream.nearest(t))!.point.time).toBe(t)
    expect((await stream.nearest(t, { backward: true }))!.point.time).toBe(sortedTimes.filter((x) => x < t).at(-1))
    expect((await stream.earliest())!.point.time).toBe(first)
    expect((await stream.latest())!.point.time).toBe(last)
    expect(await stream.nearest(last + 1n)).toBeUndefined()
  })
  it('count() agrees with the number of points, both ways', async () => {
    expect(await stream.count()).toBe(20_000n)
    expect(await stream.count({ precise: true, start: sortedTimes[100]!, end: sortedTimes[200]! })).toBe(BigInt(sortedTimes.filter((t) => t >= sortedTimes[100]! && t < sortedTimes[200]!).length))
  })
})

describe('windows against a brute-force computation', () => {
  it.each([24, 30, 35])('alignedWindows at pointwidth %i', async (pw) => {
    const width = 1n << BigInt(pw)
    const start = first + 12345n
    const end = last - 999n
    const got = await stream.alignedWindows(start, end, pw)
    const s0 = start - (start % width)
    const e0 = end - (end % width)
    // Group the points by window start, then summarise each group.
    const groups = new Map<bigint, number[]>()
    for (let i = 0; i < data.times.length; i++) {
      const t = data.times[i]!
      if (t < s0 || t >= e0) continue
      const w = t - (t % width)
      if (!groups.has(w)) groups.set(w, [])
      groups.get(w)!.push(i)
    }
    const want = [...groups.keys()].sort((x, y) => (x < y ? -1 : 1)).map((w) => {
      const idx = groups.get(w)!
      return { time: w, ...brute(BigInt64Array.from(idx, (i) => data.times[i]!), Float64Array.from(idx, (i) => data.values[i]!), w, w + width)! }
    })
    expect(got.length).toBe(want.length)
    got.forEach((g, i) => {
      const w = want[i]!
      expect(g.time).toBe(w.time)
      expect(g.count).toBe(BigInt(w.count))
      expect(g.min).toBe(w.min)
      expect(g.max).toBe(w.max)
      expect(g.mean).toBeCloseTo(w.mean, 9)
      expect(g.stddev).toBeCloseTo(w.stddev, 9)
    })
  })
  it('windows of an arbitrary width from an unaligned start, end rounded down', async () => {
    const width = 3_000_000_007n
    const start = first + 17n
    const end = start + width * 50n + width / 2n
    const got = await stream.windows(start, end, width)
    const want: (Brute & { time: bigint })[] = []
    for (let k = 0n; k < 50n; k++) {
      const b = brute(data.times, data.values, start + k * width, start + (k + 1n) * width)
      if (b !== undefined) want.push({ time: start + k * width, ...b })
    }
    expect(got.map((g) => [g.time, g.count])).toEqual(want.map((w) => [w.time, BigInt(w.count)]))
    got.forEach((g, i) => expect(g.mean).toBeCloseTo(want[i]!.mean, 9))
  })
})

describe('merge policies', () => {
  it.each([
    ['never', [1, 2, 3]],
    ['equal', [1, 2, 3]],
    ['retain', [1]],
    ['replace', [3]],
  ] as const)('%s on a repeated timestamp', async (merge, want) => {
    const s = await db.create(randomUUID(), col(`merge-${merge}`), { name: merge })
    await s.insert([[1_000n, 1]], { merge })
    await s.insert([[1_000n, 2], [1_000n, 1]], { merge })
    await s.insert([[1_000n, 3]], { merge })
    const values: number[] = []
    for await (const p of s.values()) values.push(p.value)
    if (merge === 'equal') expect(values.sort()).toEqual([1, 2, 3])
    else if (merge === 'never') expect(values.sort()).toEqual([1, 1, 2, 3])
    else expect(values).toEqual(want)
  })
})

describe('versions, delete, changes', () => {
  it('a pinned version returns the old data after newer writes and a delete', async () => {
    const s = await db.create(randomUUID(), col('versions'), { name: 'versions' })
    const v1 = await s.insert([[10n, 1], [20n, 2], [30n, 3]])
    const v2 = await s.insert([[40n, 4]])
    const v3 = await s.delete(15n, 35n)
    expect(v2).toBeGreaterThan(v1)
    expect(v3).toBeGreaterThan(v2)
    expect((await s.valueArrays(undefined, undefined, { version: v1 })).values).toEqual(Float64Array.of(1, 2, 3))
    expect((await s.valueArrays()).values).toEqual(Float64Array.of(1, 4))
    const set = await db.streams([s.uuid], { versions: [v1] })
    expect((await set.values())[0]!.map((p) => p.value)).toEqual([1, 2, 3])
    const changes = await s.changes(v2, v3)
    expect(changes.length).toBeGreaterThan(0)
    for (const r of changes) expect(r.start <= 20n && r.end > 20n ? true : r.start <= 30n && r.end > 30n).toBe(true)
    expect(await s.version()).toBe(v3)
  })
})

describe('StreamSet.pinVersions, current', () => {
  it('a set pinned to the current versions keeps reading them after newer writes (values, toArrays, windows)', async () => {
    const a = await db.create(randomUUID(), col('pin-a'), { name: 'pin_a' })
    const b = await db.create(randomUUID(), col('pin-b'), { name: 'pin_b' })
    await a.insert([[100n, 1], [200n, 2]])
    const vb = await b.insert([[150n, 10]])
    const pinned = await (await db.streams([a.uuid, b.uuid])).pinVersions()
    expect((await pinned.versions()).get(b.uuid)).toBe(vb)
    await a.insert([[300n, 3]])
    await b.delete(0n, 1000n)
    expect((await pinned.values()).map((col) => col.map((p) => p.value))).toEqual([[1, 2], [10]])
    const arrays = await pinned.toArrays()
    expect(arrays.map((x) => [...(x.data as { values: Float64Array }).values])).toEqual([[1, 2], [10]])
    expect((await pinned.alignedWindows(20).toArrays()).map((x) => [...(x.data as { count: BigUint64Array }).count])).toEqual([[2n], [1n]])
    const latest = await db.streams([a.uuid, b.uuid])
    expect((await latest.values()).map((col) => col.map((p) => p.value))).toEqual([[1, 2, 3], []])
    const explicit = await latest.pinVersions({ [b.uuid]: vb })
    expect((await explicit.values())[1]!.map((p) => p.value)).toEqual([10])
  })

  it('current() is the last point before now; latest() may lie in the future', async () => {
    const s = await db.create(randomUUID(), col('current'), { name: 'current' })
    const now = BigInt(Date.now()) * 1_000_000n
    await s.insert([[now - 60_000_000_000n, 1], [now + 86_400_000_000_000n, 2]])
    expect((await s.current())?.point.value).toBe(1)
    expect((await s.latest())?.point.value).toBe(2)
    expect((await (await db.streams([s.uuid])).current()).map((p) => p?.point.value)).toEqual([1])
  })
})

describe('metadata', () => {
  it('tags, annotations, update with replace, lookup, collections, metadata usage, SQL', async () => {
    expect(await stream.tags({ refresh: true })).toEqual({ name: 'main', unit: 'volts' })
    const { annotations, propertyVersion } = await stream.annotations()
    expect(annotations).toEqual({ site: 'lab', rating: '5' })
    const pv = await stream.update({ annotations: { site: 'field', owner: 'ops' } })
    expect(pv).toBeGreaterThan(propertyVersion)
    expect((await stream.annotations({ refresh: true })).annotations).toEqual({ site: 'field', rating: '5', owner: 'ops' })
    await stream.update({ annotations: { site: 'field' }, replace: true })
    expect((await stream.annotations({ refresh: true })).annotations).toEqual({ site: 'field' })

    const other = await db.create(randomUUID(), col('other'), { name: 'other', unit: 'amps' }, { site: 'field' })
    const found = await db.streamsInCollection(`dialectry_it/${run}/`, { annotations: { site: 'field' } })
    expect(found.map((s) => s.uuid).sort()).toEqual([stream.uuid, other.uuid].sort())
    expect((await db.streamsInCollection(`dialectry_it/${run}/`, { tags: { unit: 'amps' } })).map((s) => s.uuid)).toEqual([other.uuid])
    expect(await db.listCollections(`dialectry_it/${run}/`)).toContain(col('other'))
    const usage = await db.collectionMetadata(`dialectry_it/${run}/`)
    expect(usage.tags.name).toBeGreaterThanOrEqual(2)
    const rows = await db.query('select uuid, name, unit from streams where collection = $1', [col('other')])
    expect(rows).toEqual([{ uuid: other.uuid, name: 'other', unit: 'amps' }])
    // The statements btrdb-python's list_unique_names / _units / _annotations send (distinct(…) as …, skeys(annotations)).
    const names = await db.listUnique('name', `dialectry_it/${run}/`)
    expect(names).toEqual(expect.arrayContaining(['main', 'other']))
    expect(new Set(names).size).toBe(names.length)
    expect((await db.listUnique('unit', col('other'))).sort()).toEqual(['amps'])
    expect(await db.listUnique('annotations', col('main'))).toEqual(['site'])
    expect(await db.query('select distinct(skeys(annotations)) as annotations from streams where collection like $1', [`${col('other')}%`])).toEqual([{ annotations: 'site' }])
    const set = await db.streams([`${col('main')}/main`])
    expect(set.streams[0]!.uuid).toBe(stream.uuid)
    await other.obliterate()
    expect(await other.exists()).toBe(false)
  })
})

describe('update', () => {
  it('renames the collection and changes tags, each update bumping the property version', async () => {
    const s = await db.create(randomUUID(), col('before'), { name: 'mover', unit: 'm' })
    const pv = await s.update({ collection: col('after'), tags: { name: 'mover', unit: 'km' } })
    expect(pv).toBe(2n)
    expect((await s.refreshMetadata()).collection).toBe(col('after'))
    expect(await s.tags()).toEqual({ name: 'mover', unit: 'km' })
    expect((await db.streamsInCollection(col('after'), { isCollectionPrefix: false })).map((x) => x.uuid)).toEqual([s.uuid])
    expect(await db.streamsInCollection(col('before'), { isCollectionPrefix: false })).toEqual([])
  })
})

describe('StreamSet', () => {
  it('rows() merges streams by time; toRecords/toArrow/alignedWindows agree', async () => {
    const a = await db.create(randomUUID(), col('set'), { name: 'a' })
    const b = await db.create(randomUUID(), col('set'), { name: 'b' })
    await a.insert([[1n, 1], [3n, 3], [5n, 5]])
    await b.insert([[2n, 20], [3n, 30], [6n, 60]])
    const set = await db.streams([a.uuid, b.uuid])
    const rows: [bigint, (number | undefined)[]][] = []
    for await (const r of set.rows()) rows.push([r.time, r.values])
    expect(rows).toEqual([[1n, [1, undefined]], [2n, [undefined, 20]], [3n, [3, 30]], [5n, [5, undefined]], [6n, [undefined, 60]]])
    expect(set.filter({ name: 'B' }).streams.map((s) => s.uuid)).toEqual([b.uuid])
    const recs = await set.filter({ start: 2n, end: 6n }).toRecords()
    expect(recs).toEqual([{ time: 2n, [`${col('set')}/a`]: null, [`${col('set')}/b`]: 20 }, { time: 3n, [`${col('set')}/a`]: 3, [`${col('set')}/b`]: 30 }, { time: 5n, [`${col('set')}/a`]: 5, [`${col('set')}/b`]: null }])
    const table = await set.toArrow()
    expect(table.numRows).toBe(5)
    expect(table.getChild(`${col('set')}/b`)!.toArray()[1]).toBe(20)
    const windows = await set.alignedWindows(2).statPoints()
    expect(windows[0]!.map((w) => [w.time, w.count])).toEqual([[0n, 2n], [4n, 1n]])
    expect(() => set.alignedWindows(2).windows(4n)).toThrow()
  })
})
