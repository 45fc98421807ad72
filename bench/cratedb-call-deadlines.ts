/**
 * Settle times against a CrateDB node that never answers (issue 7 §3): `timeout: 300`, an abort at 300 ms, and
 * `close()` with a call in flight. The node answers nothing at all, also not the driver's job lookup.
 *
 *   node_modules/.bin/node bench/cratedb-call-deadlines.ts
 */
import { createServer } from 'node:http'
import { connect } from '../src/cratedb/index.ts'

const server = createServer((req) => req.resume()) // never answers
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`
const CAP = 15_000

async function settle(label: string, run: () => Promise<unknown>): Promise<void> {
  const started = performance.now()
  const outcome = await Promise.race([
    run().then(
      () => 'resolved',
      (e: unknown) => `${(e as Error).constructor.name} ${(e as { code?: unknown }).code ?? ''}`,
    ),
    new Promise<string>((r) => setTimeout(() => r(`still pending after ${CAP} ms`), CAP).unref()),
  ])
  console.log(`${label}: ${outcome} after ${Math.round(performance.now() - started)} ms`)
}

const a = connect(url)
await settle('execute({ timeout: 300 })', () => a.execute('SELECT 1', [], { timeout: 300 }))
await settle('execute({ signal }) aborted at 300 ms', () => a.execute('SELECT 1', [], { signal: AbortSignal.timeout(300) }))
const b = connect(url)
const call = b.execute('SELECT 1').catch(() => {})
await new Promise((r) => setTimeout(r, 100))
await settle('close() with a call in flight (default)', () => b.close())
void call
const c = connect(url)
const call2 = c.execute('SELECT 1').catch(() => {})
await new Promise((r) => setTimeout(r, 100))
await settle('close({ abort: true }) with a call in flight', () => c.close({ abort: true } as never))
void call2
process.exit(0)
