import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { setTimeout as sleep } from 'node:timers/promises'
import { createPool, type Pool } from '../../src/tarantool/index.ts'
import { startReplicaSet, type TarantoolReplicaSet } from '../../src/testing/tarantool/index.ts'

// The replica is SIGSTOPped: alive, sockets open, answering nothing (a hung instance, not a dead one).
let set: TarantoolReplicaSet
let pool: Pool

beforeAll(async () => {
  set = await startReplicaSet({
    initLua: `
      local s = box.schema.space.create('pr_t', { if_not_exists = true })
      s:create_index('primary', { parts = { 1, 'unsigned' }, if_not_exists = true })
      rawset(_G, 'pr_whoami', function() return box.info.ro end)
    `,
  })
  pool = await createPool([...set.uris], {
    size: 2,
    roleCheckInterval: 200,
    healthCheckTimeout: 300,
    pingInterval: 200,
    pingTimeout: 1000,
    connectTimeout: 1000,
    reconnect: { initialDelay: 50, maxDelay: 200 },
  })
}, 60_000)

afterAll(async () => {
  set?.replica.resume()
  await pool?.close()
  await set?.stop()
})

async function until(cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<number> {
  const t0 = Date.now()
  while (!(await cond())) {
    if (Date.now() - t0 > ms) throw new Error(`${what}: not within ${ms} ms`)
    await sleep(25)
  }
  return Date.now() - t0
}

const readBurst = () => Promise.allSettled(Array.from({ length: 20 }, () => pool.call('pr_whoami', [], { readOnly: true, timeout: 500 })))

describe('pool health checks with a paused replica', () => {
  it('routes reads to the master while the replica does not answer, and back to the replica after it resumes', async () => {
    const before = await readBurst()
    expect(before.every((r) => r.status === 'fulfilled')).toBe(true)
    expect(before.some((r) => r.status === 'fulfilled' && r.value[0] === true)).toBe(true) // the replica serves reads

    set.replica.pause()
    try {
      // Taken out after one unanswered check: 200 ms interval + 300 ms timeout (generous margin).
      await until(() => pool.instances[1]!.responsive === false || pool.instances[1]!.connected === 0, 5000, 'replica taken out')
      for (let i = 0; i < 10; i++) {
        const burst = await readBurst()
        const failed = burst.filter((r) => r.status === 'rejected')
        expect(failed).toEqual([])
        expect(burst.every((r) => r.status === 'fulfilled' && r.value[0] === false)).toBe(true) // all from the master
        await sleep(100)
      }
      // Writes never went to the replica and still work.
      await expect(pool.replace('pr_t', [1, 'during pause'])).resolves.toEqual([1, 'during pause'])
    } finally {
      set.replica.resume()
    }

    // Put back once it answers: some reads are served by the replica again.
    await until(
      async () => {
        const burst = await readBurst()
        return burst.some((r) => r.status === 'fulfilled' && r.value[0] === true)
      },
      15_000,
      'replica serving reads again',
    )
    expect(pool.instances[1]!.responsive).toBe(true)
  })
})
