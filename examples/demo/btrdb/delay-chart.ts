/**
 * The demo's picture: daily mean departure delay of the busiest airports, as a vega-lite specification rendered
 * to SVG by vega in Node (`vega-lite` compiles, `vega` renders headlessly with `renderer: 'none'` and `toSVG()`).
 * vega and vega-lite are loaded on demand; without them the specification is written next to where the SVG
 * would go (open it in https://vega.github.io/editor/) and a terminal chart is printed instead.
 */
import { writeFile } from 'node:fs/promises'

/** One point of the chart. */
export interface DailyDelay {
  day: string
  airport: string
  meanDelay: number
}

/** The vega-lite specification of the chart. */
export function delayChartSpec(points: readonly DailyDelay[]): Record<string, unknown> {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'Daily mean departure delay, five busiest origin airports (BTrDB windows of one day)',
    width: 800,
    height: 320,
    data: { values: points },
    mark: { type: 'line', interpolate: 'monotone', strokeWidth: 1.5 },
    encoding: {
      x: { field: 'day', type: 'temporal', title: 'day (2001)' },
      y: { field: 'meanDelay', type: 'quantitative', title: 'mean delay (minutes)' },
      color: { field: 'airport', type: 'nominal', title: 'origin' },
    },
  }
}

/** Renders the chart to `svgPath`; returns the file written (the SVG, or the `.vl.json` spec without vega). */
export async function writeDelayChart(points: readonly DailyDelay[], svgPath: string): Promise<{ path: string; rendered: boolean }> {
  const spec = delayChartSpec(points)
  try {
    // Dynamic, untyped imports: vega and vega-lite are optional for the demo.
    const vl = (await import(String('vega-lite'))) as { compile: (s: unknown) => { spec: unknown } }
    const vega = (await import(String('vega'))) as { parse: (s: unknown) => unknown; View: new (r: unknown, o: { renderer: string }) => { toSVG: () => Promise<string>; finalize: () => void } }
    const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' })
    const svg = await view.toSVG()
    view.finalize()
    await writeFile(svgPath, svg)
    return { path: svgPath, rendered: true }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') throw err
    const specPath = svgPath.replace(/\.svg$/, '.vl.json')
    await writeFile(specPath, JSON.stringify(spec, null, 1))
    return { path: specPath, rendered: false }
  }
}

/** A small terminal chart: one row of block characters per airport, one column per `bucket` days. */
export function terminalChart(points: readonly DailyDelay[], bucket = 4): string[] {
  const blocks = ' ▁▂▃▄▅▆▇█'
  const byAirport = new Map<string, Map<string, number>>()
  for (const p of points) {
    if (!byAirport.has(p.airport)) byAirport.set(p.airport, new Map())
    byAirport.get(p.airport)!.set(p.day, p.meanDelay)
  }
  const days = [...new Set(points.map((p) => p.day))].sort()
  const buckets = new Map<string, number[]>()
  for (const [airport, values] of byAirport) {
    const means: number[] = []
    for (let i = 0; i < days.length; i += bucket) {
      const vs = days.slice(i, i + bucket).map((d) => values.get(d)).filter((v): v is number => v !== undefined)
      means.push(vs.length === 0 ? 0 : vs.reduce((a, b) => a + b, 0) / vs.length)
    }
    buckets.set(airport, means)
  }
  const max = Math.max(1, ...[...buckets.values()].flat())
  const lines: string[] = []
  for (const [airport, means] of buckets) {
    const row = means.map((m) => blocks[Math.max(0, Math.min(8, Math.round((m / max) * 8)))]).join('')
    lines.push(`  ${airport.padEnd(4)}${row}`)
  }
  lines.push(`  ${''.padEnd(4)}${days[0] ?? ''} … ${days.at(-1) ?? ''} (${bucket} days per column, full block = ${max.toFixed(0)} min)`)
  return lines
}
