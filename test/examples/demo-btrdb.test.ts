import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runBTrDBDemo } from '../../examples/demo/btrdb/run-btrdb-demo.ts'

describe('BTrDB demo part', () => {
  it('loads flights as one delay stream per origin, queries them and writes the chart', async () => {
    const out = mkdtempSync(join(tmpdir(), 'btrdb-demo-'))
    const lines: string[] = []
    try {
      const r = await runBTrDBDemo({ rows: 60_000, log: (l) => lines.push(l), progress: 'none', env: {}, outDir: out })
      expect(r.points).toBe(60_000)
      expect(r.streams).toBeGreaterThan(100)
      expect(r.busiest).toHaveLength(5)
      expect(r.busiest[0]!.count).toBeGreaterThanOrEqual(r.busiest[4]!.count)
      expect(existsSync(r.chartPath)).toBe(true)
      const text = readFileSync(r.chartPath, 'utf8')
      expect(r.chartRendered ? text.startsWith('<svg') : JSON.parse(text).mark.type === 'line').toBe(true)
      expect(lines.join('\n')).toMatch(/StreamSet of \w+, \w+, \w+ merged by time/)
      expect(lines.join('\n')).toContain('Collection metadata under flights/')
    } finally {
      rmSync(out, { recursive: true, force: true })
    }
  }, 120_000)
})
