import type { IncomingMessage, ServerResponse } from 'node:http'
import type { DruidEngine } from './druid-engine.ts'
import { readBody, sendJson } from './http-util.ts'

/** The rule every datasource falls back to (Druid's default `_default` rule set). */
const DEFAULT_RULES = [{ type: 'loadForever', tieredReplicants: { _default_tier: 1 } }]

/**
 * Coordinator endpoints of the local server (https://druid.apache.org/docs/latest/api-reference/data-management-api,
 * `legacy-metadata-api`, `retention-rules-api`, `automatic-compaction-api`): everything is loaded at once on one
 * tier `_default_tier`, so load status is 100 % / 0 left; segments are the synthetic per-day segments of
 * `sys.segments`; retention rules are kept in memory; no compaction is configured. Returns `false` when the path
 * is not one of these.
 */
export async function handleCoordinator(engine: DruidEngine, method: string, path: string, query: URLSearchParams, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  if (!path.startsWith('/druid/coordinator/v1/')) return false
  const names = await engine.datasources()
  const sub = path.slice('/druid/coordinator/v1'.length)
  if (sub === '/loadstatus') {
    // default: percent loaded per datasource; ?simple: segments left to load; ?full: tier → datasource → left
    if (query.has('full')) sendJson(res, 200, { _default_tier: Object.fromEntries(names.map((n) => [n, 0])) })
    else sendJson(res, 200, Object.fromEntries(names.map((n) => [n, query.has('simple') ? 0 : 100])))
    return true
  }
  if (sub === '/datasources' || sub === '/metadata/datasources') return (sendJson(res, 200, names), true)
  const ds = /^\/datasources\/([^/]+)(\/loadstatus|\/segments)?$/.exec(sub)
  if (ds !== null && method === 'GET') {
    const name = decodeURIComponent(ds[1]!)
    if (ds[2] === '/loadstatus') {
      if (!names.includes(name)) res.writeHead(204).end()
      else sendJson(res, 200, { [name]: 100 })
      return true
    }
    if (!names.includes(name)) return (sendJson(res, 404, {}), true)
    const c = await engine.connect()
    try {
      const r = await c.runAndReadAll(`SELECT segment_id, "start", "end", "version", size, num_rows FROM sys.segments WHERE datasource = '${name.replaceAll("'", "''")}' ORDER BY "start"`)
      const rows = r.getRowsJS() as [string, string, string, string, bigint, bigint][]
      if (ds[2] === '/segments') {
        sendJson(res, 200, query.has('full') ? rows.map(([id, start, end, version, size]) => ({ dataSource: name, interval: `${start}/${end}`, version, identifier: id, size: Number(size) })) : rows.map((row) => row[0]))
      } else {
        const size = rows.reduce((s, row) => s + Number(row[4]), 0)
        sendJson(res, 200, { tiers: { _default_tier: { size, segmentCount: rows.length } }, segments: { minTime: rows[0]?.[1] ?? null, maxTime: rows.at(-1)?.[2] ?? null, size, count: rows.length } })
      }
    } finally {
      c.closeSync()
    }
    return true
  }
  if (sub === '/rules' && method === 'GET') return (sendJson(res, 200, { _default: DEFAULT_RULES, ...Object.fromEntries(engine.rules) }), true)
  const rules = /^\/rules\/([^/]+)$/.exec(sub)
  if (rules !== null) {
    const name = decodeURIComponent(rules[1]!)
    if (method === 'POST') {
      engine.rules.set(name, JSON.parse((await readBody(req)) || '[]') as unknown[])
      res.writeHead(200).end()
    } else {
      sendJson(res, 200, engine.rules.get(name) ?? (query.has('full') ? DEFAULT_RULES : []))
    }
    return true
  }
  if (sub === '/config/compaction' && method === 'GET') {
    return (sendJson(res, 200, { compactionConfigs: [], compactionTaskSlotRatio: 0.1, maxCompactionTaskSlots: 2147483647, useAutoScaleSlots: false }), true)
  }
  if (sub === '/compaction/status' && method === 'GET') return (sendJson(res, 200, { latestStatus: [] }), true)
  return false
}
