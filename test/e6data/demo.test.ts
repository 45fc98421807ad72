import { describe, expect, it } from 'vitest'
import { parseDemoArgs } from '../../examples/demo.ts'
import { runE6dataDemo } from '../../examples/demo/e6data/run-e6data-demo.ts'

describe('npm run demo -- --system e6data', () => {
  it('parses --system e6data', () => {
    expect(parseDemoArgs(['--system', 'e6data'])).toEqual({ system: 'e6data', help: false })
  })
  it('runs the flows on the local engine: counts, schema, pool, a flip with zero failures, Kysely joins', async () => {
    const lines: string[] = []
    const r = await runE6dataDemo({ rows: 50_000, env: {}, log: (l) => lines.push(l) })
    expect(r.flights).toBe(50_000)
    expect(r.tables).toEqual(['airports', 'flights'])
    expect(r.flipQueries).toBe(40)
    expect(r.flipFailures).toBe(0)
    expect(r.topOrigins.length).toBe(8)
    expect(r.topOrigins.every((o) => o.city.length > 0 && o.flights > 0)).toBe(true)
    expect(lines.join('\n')).toMatch(/blue -> green: 40 queries, 0 failures/)
  }, 60_000)
})
