/**
 * What a client sees when a Tarantool server hangs (SIGSTOP: process alive, sockets open, nothing answered).
 * Not a speed benchmark: it counts requests that never settle. Run with the default options of the driver.
 *
 *   node bench/tarantool/hung-server.ts pending   20 000 requests on one connection, SIGSTOP right after they
 *                                                 are issued, count those still pending after 15 s
 *   node bench/tarantool/hung-server.ts pool      a pool over a master/replica pair, the replica SIGSTOPped for
 *                                                 8 s, read bursts (50 selects, 500 ms timeout) every 250 ms;
 *                                                 prints the share of reads that succeeded during the pause
 *
 * Options: --requests n (20000), --wait s (40), --pause s (8), --ping-timeout ms (the driver's default, 30 000).
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { connect, createPool } from '../../src/tarantool/index.ts'
import { startReplicaSet, startTarantool } from '../../src/testing/tarantool/index.ts'

const [mode = 'pending', ...rest] = process.argv.slice(2)
const opt = (name: string, dflt: number): number => {
  const i = rest.indexOf(`--${name}`)
  return i >= 0 ? Number(rest[i + 1]) : dflt
}

const initLua = `
  local s = box.schema.space.create('hung', { if_not_exists = true })
  s:create_index('primary', { parts = { 1, 'unsigned' }, if_not_exists = true })
  if not box.info.ro then for i = 1, 100 do s:replace({ i, 'v' }) end end
`

if (mode === 'pending') {
  const requests = opt('requests', 20_000)
  const waitSec = opt('wait', 40)
  const pingTimeout = opt('ping-timeout', 0)
  const server = await startTarantool({ initLua })
  try {
    const conn = await connect(server.uri, pingTimeout > 0 ? { pingTimeout } : {})
    await conn.loadSchema()
    let settled = 0
    let failed = 0
    const errors = new Map<string, number>()
    for (let i = 0; i < requests; i++) {
      conn.select('hung', [(i % 100) + 1]).then(
        () => settled++,
        (e: unknown) => {
          settled++
          failed++
          const key = `${(e as Error).name}${(e as { code?: unknown }).code !== undefined ? ` ${String((e as { code?: unknown }).code)}` : ''} retryable=${String((e as { retryable?: unknown }).retryable)}`
          errors.set(key, (errors.get(key) ?? 0) + 1)
        },
      )
    }
    process.kill(server.pid, 'SIGSTOP')
    const t0 = Date.now()
    let allSettledAt: number | undefined
    while (Date.now() - t0 < waitSec * 1000) {
      await sleep(100)
      if (settled === requests && allSettledAt === undefined) allSettledAt = Date.now() - t0
    }
    console.log(`requests: ${requests}; settled before the stop took effect or after: ${settled}; still pending after ${waitSec} s: ${requests - settled}`)
    console.log(`failed: ${failed}; all settled after: ${allSettledAt === undefined ? 'never (within the wait)' : `${allSettledAt} ms`}`)
    for (const [k, n] of errors) console.log(`  ${n} x ${k}`)
    process.kill(server.pid, 'SIGCONT')
    const t1 = Date.now()
    for (;;) {
      try {
        await conn.ping({ timeout: 1000 })
        break
      } catch {
        if (Date.now() - t1 > 30_000) break
        await sleep(100)
      }
    }
    console.log(`after SIGCONT the same connection answers a ping after ${Date.now() - t1} ms`)
    await conn.close()
  } finally {
    process.kill(server.pid, 'SIGCONT')
    await server.stop()
  }
} else if (mode === 'pool') {
  const pauseSec = opt('pause', 8)
  const set = await startReplicaSet({ initLua })
  try {
    const pool = await createPool([...set.uris], { size: 2 })
    await sleep(500)
    const burst = async (): Promise<[number, number]> => {
      const results = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => pool.select('hung', [(i % 100) + 1], { timeout: 500 })))
      return [results.filter((r) => r.status === 'fulfilled').length, results.length]
    }
    const during: Promise<[number, number]>[] = []
    process.kill(set.replica.pid, 'SIGSTOP')
    const t0 = Date.now()
    while (Date.now() - t0 < pauseSec * 1000) {
      during.push(burst())
      await sleep(250)
    }
    process.kill(set.replica.pid, 'SIGCONT')
    const res = await Promise.all(during)
    const ok = res.reduce((a, [o]) => a + o, 0)
    const all = res.reduce((a, [, n]) => a + n, 0)
    const fullBursts = res.filter(([o, n]) => o === n).length
    console.log(`during the ${pauseSec} s pause: ${ok}/${all} reads succeeded (${((100 * ok) / all).toFixed(1)}%), ${fullBursts}/${res.length} bursts fully successful`)
    const t1 = Date.now()
    let replicaUsed = -1
    while (Date.now() - t1 < 30_000) {
      const rs = await Promise.all(Array.from({ length: 10 }, () => pool.eval('return box.info.ro', [], { readOnly: true, timeout: 1000 }).then(([r]) => r).catch(() => undefined)))
      if (rs.includes(true)) {
        replicaUsed = Date.now() - t1
        break
      }
      await sleep(100)
    }
    console.log(`after SIGCONT the replica serves reads again after ${replicaUsed < 0 ? 'never (30 s)' : `${replicaUsed} ms`}`)
    await pool.close()
  } finally {
    process.kill(set.replica.pid, 'SIGCONT')
    await set.stop()
  }
} else {
  console.error('usage: node bench/tarantool/hung-server.ts pending|pool [--requests n] [--wait s] [--pause s]')
  process.exitCode = 2
}
