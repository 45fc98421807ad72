import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { setTimeout as sleep } from 'node:timers/promises'
import { createPool, ConnectionError, type Pool } from '../../src/tarantool/index.ts'
import { startReplicaSet, type TarantoolReplicaSet } from '../../src/testing/tarantool/index.ts'

let set: TarantoolReplicaSet
let pool: Pool

beforeAll(async () => {
  set = await startReplicaSet({
    initLua: `
      local s = box.schema.space.create('rs_t', { if_not_exists = true })
      s:create_index('primary', { parts = { 1, 'unsigned' }, if_not_exists = true })
      rawset(_G, 'rs_whoami', function() return box.info.ro end)
    `,
  })
  pool = await createPool([...set.uris], { size: 2, roleCheckInterval: 200, reconnect: { initialDelay: 50, maxDelay: 200 } })
}, 60_000)

afterAll(async () => {
  await pool?.close()
  await set?.stop()
})

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached in time')
    await sleep(25)
  }
}

describe('pool over a replica set', () => {
  it('knows which instance is writable', () => {
    expect(pool.instances.map((i) => i.role)).toEqual(['writable', 'read-only'])
  })

  it('sends writes to the writable instance and read-only requests to both', async () => {
    for (let i = 0; i < 20; i++) await pool.replace('rs_t', [i, 'v'])
    // call() is not read-only by default: always the master.
    const writes = await Promise.all(Array.from({ length: 20 }, () => pool.call('rs_whoami')))
    expect(writes.every(([ro]) => ro === false)).toBe(true)
    const reads = await Promise.all(Array.from({ length: 20 }, () => pool.call('rs_whoami', [], { readOnly: true })))
    expect(new Set(reads.map(([ro]) => ro))).toEqual(new Set([true, false]))
    // Replication carries the rows to the replica: soon every read, from either instance, sees the last row.
    let selected: unknown[][][] = []
    for (let i = 0; i < 100; i++) {
      selected = await Promise.all(Array.from({ length: 8 }, () => pool.select('rs_t', [19])))
      if (selected.every((r) => r.length === 1)) break
      await sleep(50)
    }
    expect(selected.every((r) => r.length === 1)).toBe(true)
  })

  it('takes a stopped instance out and puts it back when it returns', async () => {
    await set.replica.kill()
    await until(() => pool.instances[1]!.connected === 0)
    // Reads still succeed: only the master serves them now.
    const reads = await Promise.all(Array.from({ length: 10 }, () => pool.call('rs_whoami', [], { readOnly: true })))
    expect(reads.every(([ro]) => ro === false)).toBe(true)
    await set.replica.restart()
    await until(() => pool.instances[1]!.connected === 2)
    const again = await Promise.all(Array.from({ length: 20 }, () => pool.call('rs_whoami', [], { readOnly: true })))
    expect(again.some(([ro]) => ro === true)).toBe(true)
  })

  it('fails writes at once with ConnectionError when the writable instance is down', async () => {
    await set.master.kill()
    await until(() => pool.instances[0]!.connected === 0)
    const err = await pool.insert('rs_t', [100, 'x']).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ConnectionError)
    expect((err as ConnectionError).message).toMatch(/writable/)
    // Reads keep working from the replica.
    await expect(pool.select('rs_t', [1])).resolves.toBeDefined()
    await set.master.restart()
    await until(() => pool.instances[0]!.connected === 2)
    await expect(pool.replace('rs_t', [100, 'x'])).resolves.toEqual([100, 'x'])
  })
})
