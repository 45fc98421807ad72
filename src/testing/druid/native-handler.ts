import type { ServerResponse } from 'node:http'
import { JSDuckDBValueConverter } from '@duckdb/node-api'
import type { DruidEngine } from './druid-engine.ts'
import { druidException, fromEngineError } from './druid-errors.ts'
import { sendError, sendJson } from './http-util.ts'

/**
 * Native JSON queries (`POST /druid/v2/`, https://druid.apache.org/docs/latest/querying/querying) translated to
 * SQL on DuckDB: timeseries, topN, groupBy, scan, timeBoundary, segmentMetadata, with the common filters,
 * aggregators (count, sums, mins, maxes, cardinality/hyperUnique as approximate distinct counts, filtered) and
 * arithmetic post-aggregators. Results have Druid's shapes with ISO timestamps (scan: `__time` in millis).
 */
type Json = Record<string, unknown>

const q = (name: string): string => `"${name.replaceAll('"', '""')}"`
const lit = (v: unknown): string => (v === null || v === undefined ? 'NULL' : typeof v === 'number' || typeof v === 'bigint' ? String(v) : typeof v === 'boolean' ? String(v).toUpperCase() : `'${String(v).replaceAll("'", "''")}'`)
const GRAIN: Record<string, string> = { second: 'PT1S', minute: 'PT1M', fifteen_minute: 'PT15M', thirty_minute: 'PT30M', hour: 'PT1H', day: 'P1D', week: 'P1W', month: 'P1M', quarter: 'P3M', year: 'P1Y' }

class NativeError extends Error {}

function tableName(ds: unknown): string {
  const name = typeof ds === 'string' ? ds : (ds as Json | undefined)?.['type'] === 'table' ? String((ds as Json)['name']) : undefined
  if (name === undefined) throw new NativeError('Only table dataSources are supported by the local server')
  return name
}

function intervals(list: unknown): string {
  if (!Array.isArray(list) || list.length === 0) return 'TRUE'
  return `(${list
    .map((iv) => {
      const [a, b] = String(iv).split('/')
      return `("__time" >= CAST(${lit(a)} AS TIMESTAMPTZ)::TIMESTAMP AND "__time" < CAST(${lit(b)} AS TIMESTAMPTZ)::TIMESTAMP)`
    })
    .join(' OR ')})`
}

function filter(f: Json | undefined): string {
  if (f === undefined || f === null) return 'TRUE'
  const col = q(String(f['dimension'] ?? f['column'] ?? ''))
  switch (f['type']) {
    case 'selector':
      return f['value'] === null ? `${col} IS NULL` : `CAST(${col} AS VARCHAR) = ${lit(String(f['value']))}`
    case 'equals':
      return `${col} = ${lit(f['matchValue'])}`
    case 'in':
      return `CAST(${col} AS VARCHAR) IN (${(f['values'] as unknown[]).map((v) => lit(v === null ? null : String(v))).join(', ')})`
    case 'like':
      return `${col} LIKE ${lit(f['pattern'])}`
    case 'null':
      return `${col} IS NULL`
    case 'true':
      return 'TRUE'
    case 'false':
      return 'FALSE'
    case 'and':
    case 'or':
      return `(${(f['fields'] as Json[]).map(filter).join(` ${String(f['type']).toUpperCase()} `)})`
    case 'not':
      return `NOT (${filter(f['field'] as Json)})`
    case 'interval':
      return intervals(f['intervals']).replaceAll('"__time"', col)
    case 'bound':
    case 'range': {
      const numeric = f['ordering'] === 'numeric' || (f['matchValueType'] !== undefined && f['matchValueType'] !== 'STRING')
      const c = numeric ? col : `CAST(${col} AS VARCHAR)`
      const v = (x: unknown) => (numeric ? String(Number(x)) : lit(String(x)))
      const parts: string[] = []
      if (f['lower'] !== undefined && f['lower'] !== null) parts.push(`${c} ${f['lowerStrict'] === true || f['lowerOpen'] === true ? '>' : '>='} ${v(f['lower'])}`)
      if (f['upper'] !== undefined && f['upper'] !== null) parts.push(`${c} ${f['upperStrict'] === true || f['upperOpen'] === true ? '<' : '<='} ${v(f['upper'])}`)
      return parts.length === 0 ? 'TRUE' : `(${parts.join(' AND ')})`
    }
    default:
      throw new NativeError(`Filter type [${String(f['type'])}] is not supported by the local server`)
  }
}

function aggregation(a: Json): string {
  const field = a['fieldName'] !== undefined ? q(String(a['fieldName'])) : ''
  switch (a['type']) {
    case 'count':
      return 'COUNT(*)'
    case 'longSum':
    case 'doubleSum':
    case 'floatSum':
      return `coalesce(SUM(${field}), 0)`
    case 'longMin':
    case 'doubleMin':
    case 'floatMin':
      return `MIN(${field})`
    case 'longMax':
    case 'doubleMax':
    case 'floatMax':
      return `MAX(${field})`
    case 'hyperUnique':
      return `approx_count_distinct(${field})`
    case 'cardinality':
      return `approx_count_distinct(${(a['fields'] as string[]).map(q).join(" || '\u0001' || ")})`
    case 'filtered':
      return `${aggregation(a['aggregator'] as Json)} FILTER (WHERE ${filter(a['filter'] as Json)})`
    default:
      throw new NativeError(`Aggregator type [${String(a['type'])}] is not supported by the local server`)
  }
}

function aggName(a: Json): string {
  return String(a['name'] ?? (a['aggregator'] as Json | undefined)?.['name'])
}

function postAgg(p: Json, row: Json): number {
  switch (p['type']) {
    case 'fieldAccess':
    case 'finalizingFieldAccess':
      return Number(row[String(p['fieldName'])])
    case 'constant':
      return Number(p['value'])
    case 'arithmetic': {
      const values = (p['fields'] as Json[]).map((f) => postAgg(f, row))
      return values.slice(1).reduce((acc, v) => {
        switch (p['fn']) {
          case '+': return acc + v
          case '-': return acc - v
          case '*': return acc * v
          case '/': return v === 0 ? 0 : acc / v
          case 'quotient': return acc / v
          case 'pow': return acc ** v
          default: throw new NativeError(`Arithmetic fn [${String(p['fn'])}] is not supported`)
        }
      }, values[0]!)
    }
    default:
      throw new NativeError(`Post-aggregator type [${String(p['type'])}] is not supported by the local server`)
  }
}

function bucket(g: unknown): string | undefined {
  if (g === undefined || g === 'all') return undefined
  if (g === 'none') return '"__time"'
  const period = typeof g === 'string' ? GRAIN[g] : (g as Json)['type'] === 'period' ? String((g as Json)['period']) : undefined
  if (period === undefined) throw new NativeError(`Granularity ${JSON.stringify(g)} is not supported by the local server`)
  return `TIME_FLOOR("__time", ${lit(period)})`
}

function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v)
  if (v instanceof Date) return v.toISOString()
  if (Array.isArray(v)) return v.map(plain)
  return v
}

async function rows(engine: DruidEngine, sql: string): Promise<{ names: string[]; types: string[]; rows: unknown[][] }> {
  const c = await engine.connect()
  try {
    const r = await c.runAndReadAll(sql)
    return { names: r.columnNames(), types: r.columnTypes().map((t) => t.toString()), rows: r.convertRows(JSDuckDBValueConverter) as unknown[][] }
  } finally {
    c.closeSync()
  }
}

function objects(r: { names: string[]; rows: unknown[][] }, from = 0): Json[] {
  return r.rows.map((row) => Object.fromEntries(r.names.slice(from).map((n, i) => [n, plain(row[i + from])])))
}

/** Runs one native query; answers Druid's JSON array. */
export async function runNative(engine: DruidEngine, query: Json): Promise<unknown[]> {
  const name = tableName(query['dataSource'])
  const from = `druid.${q(name)}`
  // A datasource the Broker has no segments for is not an error for native queries: the answer is empty
  // (timeseries with granularity `all` still yields its one row of empty aggregates, as its toolchest merges it).
  const known = (await engine.datasources()).includes(name)
  const where = `${intervals(query['intervals'])} AND ${filter(query['filter'] as Json | undefined)}`
  const aggs = ((query['aggregations'] ?? []) as Json[]).map((a) => `${aggregation(a)} AS ${q(aggName(a))}`)
  const posts = (query['postAggregations'] ?? []) as Json[]
  const withPosts = (row: Json): Json => {
    for (const p of posts) row[String(p['name'])] = postAgg(p, row)
    return row
  }
  const firstStart = Array.isArray(query['intervals']) && query['intervals'].length > 0 ? new Date(String(query['intervals'][0]).split('/')[0]!).toISOString() : '1970-01-01T00:00:00.000Z'
  const b = bucket(query['granularity'])
  const t = b === undefined ? `CAST(${lit(firstStart.replace('T', ' ').replace('Z', ''))} AS TIMESTAMP)` : b
  if (!known && !(query['queryType'] === 'timeseries' && b === undefined)) {
    if (!['timeseries', 'topN', 'groupBy', 'scan', 'timeBoundary', 'segmentMetadata'].includes(String(query['queryType']))) throw new NativeError(`Query type [${String(query['queryType'])}] is not supported by the local server`)
    return []
  }
  switch (query['queryType']) {
    case 'timeseries': {
      const r = !known ? { names: ['__t', ...aggs.map((_, i) => aggName(((query['aggregations'] ?? []) as Json[])[i]!))], types: [], rows: [] as unknown[][] } : await rows(engine, `SELECT ${t} AS "__t"${aggs.length > 0 ? `, ${aggs.join(', ')}` : ''} FROM ${from} WHERE ${where} GROUP BY 1 ORDER BY 1 ${query['descending'] === true ? 'DESC' : 'ASC'}${query['limit'] !== undefined ? ` LIMIT ${Number(query['limit'])}` : ''}`)
      if (b === undefined && r.rows.length === 0) r.rows.push([new Date(firstStart), ...aggs.map((_, i) => (String(((query['aggregations'] as Json[])[i] as Json)['type']).endsWith('Sum') || ((query['aggregations'] as Json[])[i] as Json)['type'] === 'count' ? 0 : null))])
      return r.rows.map((row, i) => ({ timestamp: plain(row[0]), result: withPosts(objects(r, 1)[i]!) }))
    }
    case 'topN': {
      const dim = typeof query['dimension'] === 'string' ? { dimension: query['dimension'], outputName: query['dimension'] } : (query['dimension'] as Json)
      const out = String(dim['outputName'] ?? dim['dimension'])
      const metric = query['metric'] as unknown
      const m = typeof metric === 'string' ? { name: metric, dir: 'DESC' } : (metric as Json)['type'] === 'inverted' ? { name: String(((metric as Json)['metric'] as Json)?.['metric'] ?? (metric as Json)['metric']), dir: 'ASC' } : (metric as Json)['type'] === 'dimension' ? { name: out, dir: 'ASC' } : { name: String((metric as Json)['metric']), dir: 'DESC' }
      const r = await rows(engine, `SELECT ${t} AS "__t", ${q(String(dim['dimension']))} AS ${q(out)}${aggs.length > 0 ? `, ${aggs.join(', ')}` : ''} FROM ${from} WHERE ${where} GROUP BY 1, 2 ORDER BY 1, ${q(m.name)} ${m.dir}`)
      const groups = new Map<string, Json[]>()
      objects(r, 0).forEach((row) => {
        const key = String(row['__t'])
        delete row['__t']
        const list = groups.get(key) ?? []
        if (list.length < Number(query['threshold'])) list.push(withPosts(row))
        groups.set(key, list)
      })
      return [...groups.entries()].map(([timestamp, result]) => ({ timestamp, result }))
    }
    case 'groupBy': {
      const dims = ((query['dimensions'] ?? []) as (string | Json)[]).map((d) => (typeof d === 'string' ? { dimension: d, outputName: d } : { dimension: String(d['dimension']), outputName: String(d['outputName'] ?? d['dimension']) }))
      const spec = (query['limitSpec'] ?? {}) as Json
      const order = ((spec['columns'] ?? []) as (string | Json)[]).map((c) => (typeof c === 'string' ? `${q(c)} ASC` : `${q(String(c['dimension']))} ${c['direction'] === 'descending' ? 'DESC' : 'ASC'}`))
      const select = [`${t} AS "__t"`, ...dims.map((d) => `${q(d.dimension)} AS ${q(d.outputName)}`), ...aggs].join(', ')
      const r = await rows(
        engine,
        `SELECT ${select} FROM ${from} WHERE ${where} GROUP BY ${dims.map((_, i) => i + 2).concat([1]).join(', ')} ORDER BY ${[...order, '1', ...dims.map((_, i) => String(i + 2))].join(', ')}` +
          `${spec['limit'] !== undefined ? ` LIMIT ${Number(spec['limit'])}` : ''}${spec['offset'] !== undefined ? ` OFFSET ${Number(spec['offset'])}` : ''}`,
      )
      return objects(r, 0).map((row) => {
        const timestamp = row['__t']
        delete row['__t']
        return { version: 'v1', timestamp, event: withPosts(row) }
      })
    }
    case 'scan': {
      const cols = (query['columns'] as string[] | undefined) ?? []
      const order = query['order'] === 'ascending' ? ' ORDER BY "__time" ASC' : query['order'] === 'descending' ? ' ORDER BY "__time" DESC' : ''
      const r = await rows(engine, `SELECT ${cols.length > 0 ? cols.map(q).join(', ') : '*'} FROM ${from} WHERE ${where}${order}${query['limit'] !== undefined ? ` LIMIT ${Number(query['limit'])}` : ''}${query['offset'] !== undefined ? ` OFFSET ${Number(query['offset'])}` : ''}`)
      const millis = (v: unknown, name: string): unknown => (name === '__time' && v instanceof Date ? v.getTime() : plain(v))
      const events = query['resultFormat'] === 'compactedList' ? r.rows.map((row) => row.map((v, i) => millis(v, r.names[i]!))) : r.rows.map((row) => Object.fromEntries(row.map((v, i) => [r.names[i]!, millis(v, r.names[i]!)])))
      return events.length === 0 ? [] : [{ segmentId: `${String(query['dataSource'])}_local`, columns: r.names, events }]
    }
    case 'timeBoundary': {
      const r = await rows(engine, `SELECT MIN("__time"), MAX("__time") FROM ${from} WHERE ${filter(query['filter'] as Json | undefined)}`)
      const [min, max] = r.rows[0]!.map(plain) as [string | null, string | null]
      if (min === null) return []
      const result: Json = {}
      if (query['bound'] !== 'maxTime') result['minTime'] = min
      if (query['bound'] !== 'minTime') result['maxTime'] = max
      return [{ timestamp: query['bound'] === 'maxTime' ? max : min, result }]
    }
    case 'segmentMetadata': {
      const cols = await rows(engine, `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'druid' AND table_name = ${lit(name)} ORDER BY ordinal_position`)
      const count = await rows(engine, `SELECT COUNT(*), MIN("__time"), MAX("__time") FROM ${from}`)
      const [n, min, max] = count.rows[0]!.map(plain) as [number, string | null, string | null]
      const native = (t: string): string => (/INT/.test(t) ? 'LONG' : t === 'DOUBLE' || t.startsWith('DECIMAL') ? 'DOUBLE' : t === 'FLOAT' ? 'FLOAT' : t.startsWith('TIMESTAMP') ? 'LONG' : 'STRING')
      const columns: Json = {}
      for (const [c, t] of cols.rows as [string, string][]) {
        columns[c] = { type: native(t), typeSignature: native(t), hasMultipleValues: false, hasNulls: c !== '__time', size: 0, cardinality: null, minValue: null, maxValue: null, errorMessage: null }
      }
      return [{ id: `${name}_local`, intervals: min === null ? null : [`${min}/${max}`], columns, size: 0, numRows: n, aggregators: null, timestampSpec: null, queryGranularity: null, rollup: null }]
    }
    default:
      throw new NativeError(`Query type [${String(query['queryType'])}] is not supported by the local server`)
  }
}

/** `POST /druid/v2/`: one native query. */
export async function handleNative(engine: DruidEngine, body: string, res: ServerResponse): Promise<void> {
  let query: Json
  try {
    query = JSON.parse(body) as Json
  } catch (err) {
    return sendError(res, druidException(400, 'INVALID_INPUT', 'invalidInput', `Malformed native query: ${(err as Error).message}`))
  }
  const id = String((query['context'] as Json | undefined)?.['queryId'] ?? `native-${Date.now()}`)
  try {
    sendJson(res, 200, await runNative(engine, query), { 'x-druid-query-id': id })
  } catch (err) {
    if (err instanceof NativeError) return sendError(res, druidException(400, 'INVALID_INPUT', 'invalidInput', err.message, { sourceType: 'native' }), { 'x-druid-query-id': id })
    sendError(res, fromEngineError(err), { 'x-druid-query-id': id })
  }
}
