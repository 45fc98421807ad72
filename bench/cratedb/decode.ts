/**
 * In-process timing of our `_sql` body decoding on a large result, no HTTP: `node bench/cratedb/decode.ts
 * [--rows n] [--runs n] [--json]`. Also run by the CrateDB benchmark (its "Decoder" section).
 *
 * Two bodies shaped as the local server writes them (bigint id, text, double, timestamp, object, geo_point,
 * text[]): one with small ids (the plain `JSON.parse` path) and one with 64-bit ids above 2^53 (the exact path).
 * For each: plain `JSON.parse` of the body's text (lossy, no types: what node-crate does), `JSON.parse` with a
 * `context.source` reviver (the usual way to keep big integers exact), and `decodeExecuteBody` (our whole decode
 * straight from the bytes: exact bigints, `Date`s or epoch ms, arrays or objects).
 */
import { parseArgs } from 'node:util'
import { decodeExecuteBody } from '../../src/cratedb/sql-result.ts'
import { BIG_ID_OFFSET, syntheticRowsBody } from './common.ts'

/** One timed step: median milliseconds over the runs. */
export interface DecodeTiming {
  body: 'small ids' | '64-bit ids'
  step: string
  ms: number
}

type Reviver = (this: unknown, key: string, value: unknown, context?: { source?: string }) => unknown
const parseWithReviver = JSON.parse as unknown as (text: string, reviver: Reviver) => unknown

/** Exact big integers with `JSON.parse`: a reviver that turns integer tokens beyond 2^53 into bigints. */
const sourceReviver: Reviver = function (_key, value, context) {
  if (typeof value === 'number' && !Number.isSafeInteger(value) && Number.isInteger(value)) {
    const source = context?.source
    if (source !== undefined && /^-?\d+$/.test(source)) return BigInt(source)
  }
  return value
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

function time(runs: number, fn: () => unknown): number {
  const samples: number[] = []
  for (let i = 0; i < runs + 2; i++) {
    const t0 = performance.now()
    fn()
    const ms = performance.now() - t0
    if (i >= 2) samples.push(ms) // two warm-up runs
  }
  return median(samples)
}

/** Times every step on both bodies. */
export function measureDecoding(rows: number, runs: number): DecodeTiming[] {
  const out: DecodeTiming[] = []
  for (const [label, offset] of [['small ids', 0n], ['64-bit ids', BIG_ID_OFFSET]] as const) {
    const body = Buffer.from(syntheticRowsBody(rows, offset))
    const decoded = decodeExecuteBody<unknown[]>(body, {}, 'bench', 'decode')
    const lastId = decoded.rows[rows - 1]![0]
    if (offset !== 0n && lastId !== offset + BigInt(rows)) throw new Error(`${label}: last id decoded as ${String(lastId)}`)
    const steps: [string, () => unknown][] = [
      ['JSON.parse of the text (lossy, no types)', () => JSON.parse(body.toString('utf8'))],
      ['JSON.parse + source reviver for big integers', () => parseWithReviver(body.toString('utf8'), sourceReviver)],
      ['decodeExecuteBody, arrays, timestamps as numbers', () => decodeExecuteBody(body, { timestamps: 'number' }, 'bench', 'decode')],
      ['decodeExecuteBody, arrays, Dates', () => decodeExecuteBody(body, {}, 'bench', 'decode')],
      ['decodeExecuteBody, objects, Dates', () => decodeExecuteBody(body, { rowMode: 'object' }, 'bench', 'decode')],
    ]
    for (const [step, fn] of steps) out.push({ body: label, step, ms: time(step.includes('reviver') ? Math.min(runs, 3) : runs, fn) })
  }
  return out
}

/** Markdown table of {@link measureDecoding}'s timings. */
export function renderDecoding(timings: DecodeTiming[], rows: number): string[] {
  const lines = [`| Step (${rows.toLocaleString('en-US')} rows) | small ids (ms) | 64-bit ids (ms) |`, '| --- | ---: | ---: |']
  const steps = [...new Set(timings.map((t) => t.step))]
  for (const step of steps) {
    const cell = (body: DecodeTiming['body']): string => timings.find((t) => t.step === step && t.body === body)?.ms.toFixed(1) ?? '-'
    lines.push(`| ${step} | ${cell('small ids')} | ${cell('64-bit ids')} |`)
  }
  return lines
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: { rows: { type: 'string', default: '100000' }, runs: { type: 'string', default: '7' }, json: { type: 'boolean', default: false } },
  })
  const rows = Number(values.rows)
  const timings = measureDecoding(rows, Number(values.runs))
  if (values.json) process.stdout.write(`${JSON.stringify(timings)}\n`)
  else console.log(renderDecoding(timings, rows).join('\n'))
}
