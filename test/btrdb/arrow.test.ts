import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, ServerError, type BTrDB } from '../../src/btrdb/index.ts'
import { startBTrDB, type LocalBTrDB } from '../../src/testing/btrdb/index.ts'

/** The Arrow RPCs (server >= 5.30) give the same data as the protobuf ones; older servers fall back. */
let server: LocalBTrDB
let old: LocalBTrDB
beforeAll(async () => {
  server = await startBTrDB({ minorVersion: 34 })
  old = await startBTrDB({ minorVersion: 29 })
})
afterAll(async () => {
  await server.stop()
  await old.stop()
})

async function fill(db: BTrDB, collection: string) {
  const s = await db.create(undefined, collection, { name: 'x' })
  const n = 250_000
  const times = new BigInt64Array(n)
  const values = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    times[i] = 1_700_000_000_000_000_000n + BigInt(i) * 7_919n
    values[i] = Math.cos(i / 100)
  }
  await s.insert({ times, values })
  return { s, times, values }
}

describe('Arrow RPCs', () => {
  it('are used against 5.34 and decode into the same typed arrays as protobuf', async () => {
    const withArrow = await connect(server.endpoint, { env: {}, home: '/nonexistent' })
    const without = await connect(server.endpoint, { env: {}, home: '/nonexistent', arrow: false })
    expect(withArrow.supportsArrow).toBe(true)
    const { s, times, values } = await fill(withArrow, 'arrow/a')
    const before = server.stats.messagesSent
    const a = await s.valueArrays()
    expect(server.stats.messagesSent - before).toBeLessThan(10) // 250k points in a few Arrow messages, not 50 protobuf ones
    expect(a.times).toEqual(times)
    expect(a.values).toEqual(values)
    const p = await without.streamFromUuid(s.uuid).valueArrays()
    expect(p.times).toEqual(times)
    const wa = await s.alignedWindowArrays(times[0]!, times.at(-1)! + 1n, 27, { useArrow: true })
    const wp = await without.streamFromUuid(s.uuid).alignedWindowArrays(times[0]!, times.at(-1)! + 1n, 27)
    expect(wa.times).toEqual(wp.times)
    expect(wa.count).toEqual(wp.count)
    expect(wa.mean).toEqual(wp.mean)
    const ww = await s.windowArrays(times[0]!, times[1000]!, 791_900n, { useArrow: true }) // 10 windows of 100 points
    expect(ww.count.reduce((x, y) => x + y, 0n)).toBe(1000n)
    withArrow.close()
    without.close()
  })
  it('are not used below 5.30, where the server refuses them', async () => {
    const db = await connect(old.endpoint, { env: {}, home: '/nonexistent' })
    expect(db.supportsArrow).toBe(false)
    const { s, times } = await fill(db, 'arrow/old')
    expect((await s.valueArrays()).times).toEqual(times)
    const read = async () => {
      for await (const _ of s.arrowValueBatches()) void _
    }
    await expect(read()).rejects.toThrow(ServerError)
    db.close()
  })
})

describe('ArrowMultiValues', () => {
  it('aligns several streams on time in one call, NaN where a stream has no point, and snaps to a period', async () => {
    const db = await connect(server.endpoint, { env: {}, home: '/nonexistent' })
    const a = await db.create(undefined, 'multi/a', { name: 'a' })
    const b = await db.create(undefined, 'multi/b', { name: 'b' })
    await a.insert([[100n, 1], [200n, 2], [300n, 3]])
    await b.insert([[200n, 20], [290n, 29], [400n, 40]])
    const set = await db.streams([a.uuid, b.uuid])
    const t = await set.arrowValues()
    expect(Array.from(t.getChild('time')!.toArray() as BigInt64Array)).toEqual([100n, 200n, 290n, 300n, 400n])
    expect(Array.from(t.getChild(a.uuid)!.toArray() as Float64Array)).toEqual([1, 2, NaN, 3, NaN])
    expect(Array.from(t.getChild(b.uuid)!.toArray() as Float64Array)).toEqual([NaN, 20, 29, NaN, 40])
    // period 100: 290 snaps to 300 (next to a's 300), 250 would snap forward too
    const snapped = await set.filter({ start: 100n, end: 400n }).arrowValues({ snapPeriodNs: 100n })
    expect(Array.from(snapped.getChild('time')!.toArray() as BigInt64Array)).toEqual([100n, 200n, 300n])
    expect(Array.from(snapped.getChild(b.uuid)!.toArray() as Float64Array)).toEqual([NaN, 20, 29])
    db.close()
  })
})
