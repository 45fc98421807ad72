// Paired A/B of two versions of the Tarantool driver in one process, against one local Tarantool:
//
//   node bench/tarantool/ab-versions.ts <before-ref> [ping|select] [pairs]
//
// <before-ref> is any git ref (e.g. 05adacb, the commit before back-pressure and liveness landed); it is checked out
// into a temporary worktree. "after" is this working tree. The two sides alternate (ABBA order), 50,000 requests with
// 200 in flight each, so machine load hits both alike; the report gives per-pair ratios (median and quartiles), which
// stay steady on a shared machine where single benchmark runs swing by ±40%.
import { execFileSync } from 'node:child_process'
import { existsSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { startTarantool } from '../../src/testing/tarantool/index.ts'
import * as after from '../../src/tarantool/index.ts'

const [ref, op = 'ping', pairsArg = '30'] = process.argv.slice(2)
if (ref === undefined) throw new Error('usage: node bench/tarantool/ab-versions.ts <before-ref> [ping|select] [pairs]')
const root = resolve(import.meta.dirname, '../..')
const sha = execFileSync('git', ['rev-parse', '--short', ref], { cwd: root, encoding: 'utf8' }).trim()
const tree = join(tmpdir(), `dialectry-ab-${sha}`)
if (!existsSync(tree)) {
  execFileSync('git', ['worktree', 'add', '--detach', tree, sha], { cwd: root, stdio: 'ignore' })
  symlinkSync(join(root, 'node_modules'), join(tree, 'node_modules'))
}
const before = (await import(join(tree, 'src/tarantool/index.ts'))) as typeof after

const server = await startTarantool({
  initLua: `
  local s = box.schema.space.create('b', { if_not_exists = true })
  s:create_index('pk', { parts = {1, 'unsigned'}, if_not_exists = true })
  for i = 1, 1000 do s:replace({i, 'name-' .. i, i + 0.5}) end`,
})
const sides = { before: await before.connect(server.uri), after: await after.connect(server.uri) }
type Side = keyof typeof sides
const N = 50_000

/** [client CPU µs per request, requests per second] of one run of N requests, 200 in flight. */
async function run(conn: after.Connection): Promise<[number, number]> {
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < N) {
      const i = next++
      await (op === 'ping' ? conn.ping() : conn.select('b', [(i % 1000) + 1]))
    }
  }
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  await Promise.all(Array.from({ length: 200 }, worker))
  const c = process.cpuUsage(c0)
  return [(c.user + c.system) / N, N / ((performance.now() - t0) / 1000)]
}

const pairs = Number(pairsArg)
const res: Record<Side, [number, number][]> = { before: [], after: [] }
for (let r = 0; r < pairs; r++) {
  const order: Side[] = r % 2 === 0 ? ['before', 'after'] : ['after', 'before']
  for (const side of order) res[side].push(await run(sides[side]))
}
const sorted = (a: number[]): number[] => [...a].sort((x, y) => x - y)
const at = (a: number[], f: number): number => sorted(a)[Math.floor(a.length * f)]!
const cpu = res.after.map((x, i) => x[0] / res.before[i]![0])
const rps = res.after.map((x, i) => x[1] / res.before[i]![1])
for (const side of ['before', 'after'] as const) {
  const label = side === 'before' ? `before (${sha})` : 'after (working tree)'
  console.log(
    `${op} ${label}: client CPU ${at(res[side].map((x) => x[0]), 0.5).toFixed(2)} µs/request, ` +
      `${(at(res[side].map((x) => x[1]), 0.5) / 1000).toFixed(1)}k req/s (medians of ${pairs})`,
  )
}
console.log(
  `${op} after/before per pair: CPU ${at(cpu, 0.5).toFixed(3)} (quartiles ${at(cpu, 0.25).toFixed(3)}..${at(cpu, 0.75).toFixed(3)}), ` +
    `req/s ${at(rps, 0.5).toFixed(3)} (quartiles ${at(rps, 0.25).toFixed(3)}..${at(rps, 0.75).toFixed(3)})`,
)
await sides.before.close()
await sides.after.close()
await server.stop()
