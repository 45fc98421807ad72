import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { JSDuckDBValueConverter } from '@duckdb/node-api'
import type { DruidEngine } from './druid-engine.ts'
import { druidException, fromEngineError } from './druid-errors.ts'
import { sendError, sendJson } from './http-util.ts'
import { describeColumn, FormatWriter, type OutColumn, type ResultFormat } from './result-writer.ts'
import { prepareQuery, readSqlRequest } from './sql-handler.ts'

/** One query of the statements API, results kept in memory (the local server has no durable storage). */
interface Statement {
  queryId: string
  state: 'ACCEPTED' | 'RUNNING' | 'SUCCESS' | 'FAILED'
  createdAt: string
  durationMs: number
  columns: OutColumn[]
  rows: unknown[][]
  /** Rows per result page: context `rowsPerPage`, default 100,000 (as for MSQ SELECT into durable storage). */
  pageRows: number
  error?: Record<string, unknown>
}

const statementsOf = new WeakMap<DruidEngine, Map<string, Statement>>()
const PAGE_ROWS = 100_000
const FORMATS: Record<string, ResultFormat> = { array: 'array', object: 'object', arraylines: 'arrayLines', objectlines: 'objectLines', csv: 'csv' }

function registry(engine: DruidEngine): Map<string, Statement> {
  let m = statementsOf.get(engine)
  if (m === undefined) statementsOf.set(engine, (m = new Map()))
  return m
}

/** In statement results `__time` and other TIMESTAMP columns are epoch millis, not ISO text. */
function millisColumns(columns: OutColumn[]): OutColumn[] {
  return columns.map((c) => (c.sqlType === 'TIMESTAMP' || c.sqlType === 'DATE' ? { ...c, json: (v: unknown) => (v === null ? 'null' : String((v as Date).getTime())) } : c))
}

function view(s: Statement): Record<string, unknown> {
  const out: Record<string, unknown> = {
    queryId: s.queryId,
    state: s.state,
    createdAt: s.createdAt,
    schema: s.columns.map((c) => ({ name: c.name, type: c.sqlType, nativeType: c.nativeType })),
    durationMs: s.durationMs,
  }
  if (s.state === 'SUCCESS') {
    const pages = []
    for (let i = 0; i * s.pageRows < s.rows.length || (i === 0 && s.rows.length === 0); i++) pages.push({ id: i, numRows: Math.min(s.pageRows, s.rows.length - i * s.pageRows), sizeInBytes: 0 })
    out['result'] = { numTotalRows: s.rows.length, totalSizeInBytes: 0, dataSource: '__query_select', sampleRecords: [], pages }
  }
  if (s.error !== undefined) out['errorDetails'] = s.error
  return out
}

/**
 * The asynchronous statements API (https://druid.apache.org/docs/latest/api-reference/sql-api#query-from-deep-storage):
 * `POST /druid/v2/sql/statements`, `GET …/{id}`, `GET …/{id}/results?page=&resultFormat=`, `DELETE …/{id}`.
 * The query runs at once; results stay in memory in pages of context `rowsPerPage` rows (default 100,000).
 */
export async function handleStatements(engine: DruidEngine, method: string, path: string, query: URLSearchParams, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const statements = registry(engine)
  if (path === '/druid/v2/sql/statements' && method === 'POST') {
    const body = await readSqlRequest(req)
    if ('status' in body) return sendError(res, body), true
    const prepared = prepareQuery(body)
    if ('status' in prepared) return sendError(res, prepared), true
    const s: Statement = { queryId: `query-${randomUUID()}`, state: 'RUNNING', createdAt: new Date().toISOString(), durationMs: -1, columns: [], rows: [], pageRows: Math.max(1, Math.floor(Number(prepared.context['rowsPerPage'] ?? PAGE_ROWS)) || PAGE_ROWS) }
    const started = Date.now()
    const c = await engine.connect()
    try {
      const result = await c.runAndReadAll(prepared.sql, prepared.values)
      const names = result.columnNames()
      s.columns = result.columnTypes().map((t, i) => describeColumn(/^[A-Za-z_][\w$]*$/.test(names[i]!) ? names[i]! : `EXPR$${i}`, t, true))
      s.rows = result.convertRows(JSDuckDBValueConverter) as unknown[][]
      s.state = 'SUCCESS'
    } catch (err) {
      const e = fromEngineError(err)
      if (e.status === 400) return sendError(res, e), true
      s.state = 'FAILED'
      s.error = e.body
    } finally {
      c.closeSync()
      s.durationMs = Date.now() - started
    }
    statements.set(s.queryId, s)
    sendJson(res, 200, view(s))
    return true
  }
  const m = /^\/druid\/v2\/sql\/statements\/([^/]+)(\/results)?$/.exec(path)
  if (m === null) return false
  const s = statements.get(decodeURIComponent(m[1]!))
  const notFound = druidException(404, 'NOT_FOUND', 'notFound', `Query [${m[1]}] was not found. The query details are no longer present or might not be of the type [query_controller].`)
  if (s === undefined) return sendError(res, notFound), true
  if (m[2] === undefined && method === 'GET') return sendJson(res, 200, view(s)), true
  if (m[2] === undefined && method === 'DELETE') {
    res.writeHead(s.state === 'SUCCESS' || s.state === 'FAILED' ? 200 : 202)
    res.end()
    return true
  }
  if (m[2] === '/results' && method === 'GET') {
    if (s.state === 'FAILED') return sendError(res, notFound), true
    const format = FORMATS[(query.get('resultFormat') ?? 'object').toLowerCase()]
    if (format === undefined) return sendError(res, druidException(400, 'INVALID_INPUT', 'invalidInput', `Unsupported resultFormat [${query.get('resultFormat')}]`)), true
    const page = query.get('page')
    const rows = page === null ? s.rows : s.rows.slice(Number(page) * s.pageRows, (Number(page) + 1) * s.pageRows)
    const writer = new FormatWriter(format, millisColumns(s.columns), { header: false, typesHeader: false, sqlTypesHeader: false })
    res.writeHead(200, { 'content-type': format === 'csv' ? 'text/csv' : format.endsWith('Lines') ? 'text/plain' : 'application/json' })
    res.end(writer.start() + writer.rows(rows) + writer.end())
    return true
  }
  return false
}
