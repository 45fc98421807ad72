import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { DruidEngine } from './druid-engine.ts'
import { druidException, fromEngineError } from './druid-errors.ts'
import { sendError, sendJson } from './http-util.ts'
import { readSqlRequest } from './sql-handler.ts'
import { parseIngestion, splitSetStatements } from './sql-rewrite.ts'

/** An Overlord task as `GET /druid/indexer/v1/task/{id}/status` returns it (TaskStatusPlus). */
export interface TaskRecord {
  id: string
  groupId: string
  type: string
  createdTime: string
  queueInsertionTime: string
  statusCode: 'RUNNING' | 'SUCCESS' | 'FAILED'
  status: 'RUNNING' | 'SUCCESS' | 'FAILED'
  runnerStatusCode: 'RUNNING' | 'NONE'
  duration: number
  location: { host: string | null; port: number; tlsPort: number }
  dataSource: string
  errorMsg: string | null
  /** Rows written, for the report. */
  rows: number
  sql: string
}

/** The task registry of one cluster (kept beside the engine). */
export const tasksOf = new WeakMap<DruidEngine, Map<string, TaskRecord>>()

function registry(engine: DruidEngine): Map<string, TaskRecord> {
  let m = tasksOf.get(engine)
  if (m === undefined) tasksOf.set(engine, (m = new Map()))
  return m
}

async function recordTask(engine: DruidEngine, t: TaskRecord): Promise<void> {
  const q = (s: string | null) => (s === null ? 'NULL' : `'${s.replaceAll("'", "''")}'`)
  await engine.run(
    `DELETE FROM sys.tasks WHERE task_id = ${q(t.id)}; INSERT INTO sys.tasks VALUES (${q(t.id)}, ${q(t.groupId)}, ${q(t.type)}, ${q(t.dataSource)}, ` +
      `${q(t.createdTime)}, ${q(t.queueInsertionTime)}, ${q(t.statusCode)}, ${q(t.runnerStatusCode)}, ${t.duration}, NULL, NULL, -1, -1, ${q(t.errorMsg)})`,
  )
}

/**
 * `POST /druid/v2/sql/task` (https://druid.apache.org/docs/latest/api-reference/sql-ingestion-api): validates the
 * INSERT/REPLACE, answers `{taskId, state: "RUNNING"}` and runs it in the background through DuckDB
 * (`CREATE OR REPLACE TABLE` for REPLACE or a new datasource, `INSERT ... BY NAME` otherwise).
 */
export async function handleSqlTask(engine: DruidEngine, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readSqlRequest(req)
  if ('status' in body) return sendError(res, body)
  const { sql } = splitSetStatements(body.query)
  let plan
  try {
    plan = parseIngestion(sql, engine.tmpDir)
  } catch (err) {
    return sendError(res, druidException(400, 'INVALID_INPUT', 'invalidInput', (err as Error).message, { sourceType: 'sql' }))
  }
  if ('status' in plan) return sendError(res, plan)
  const now = new Date().toISOString()
  const id = `query-${randomUUID()}`
  const task: TaskRecord = {
    id, groupId: id, type: 'query_controller', createdTime: now, queueInsertionTime: now, statusCode: 'RUNNING', status: 'RUNNING',
    runnerStatusCode: 'RUNNING', duration: -1, location: { host: null, port: -1, tlsPort: -1 }, dataSource: plan.datasource, errorMsg: null, rows: 0, sql,
  }
  registry(engine).set(id, task)
  await recordTask(engine, task)
  sendJson(res, 200, { taskId: id, state: 'RUNNING' })
  const started = Date.now()
  void (async () => {
    const c = await engine.connect()
    try {
      const ident = `druid."${plan.datasource.replaceAll('"', '""')}"`
      const exists = (await engine.datasources()).includes(plan.datasource)
      const result = plan.replace || !exists
        ? await c.run(`CREATE OR REPLACE TABLE ${ident} AS SELECT * FROM (${plan.select}) ORDER BY ALL`)
        : await c.run(`INSERT INTO ${ident} BY NAME ${plan.select}`)
      task.rows = Number(result.rowsChanged)
      await engine.refreshSegments(plan.datasource)
      task.statusCode = task.status = 'SUCCESS'
    } catch (err) {
      task.statusCode = task.status = 'FAILED'
      task.errorMsg = String((fromEngineError(err).body['errorMessage'] as string | undefined) ?? err)
    } finally {
      c.closeSync()
      task.duration = Date.now() - started
      task.runnerStatusCode = 'NONE'
      await recordTask(engine, task).catch(() => {})
    }
  })()
}

function statusOf(t: TaskRecord): Omit<TaskRecord, 'rows' | 'sql'> {
  const { rows: _rows, sql: _sql, ...status } = t
  return status
}

/** The Overlord's task endpoints (https://druid.apache.org/docs/latest/api-reference/tasks-api). */
export function handleOverlordTasks(engine: DruidEngine, method: string, path: string, query: URLSearchParams, res: ServerResponse): boolean {
  const tasks = registry(engine)
  const m = /^\/druid\/indexer\/v1\/task\/([^/]+)(\/status|\/reports|\/shutdown)?$/.exec(path)
  if (m !== null) {
    const id = decodeURIComponent(m[1]!)
    const t = tasks.get(id)
    if (t === undefined) {
      sendJson(res, 404, { error: `Task [${id}] not found` })
      return true
    }
    if (m[2] === '/status' && method === 'GET') sendJson(res, 200, { task: id, status: statusOf(t) })
    else if (m[2] === '/reports' && method === 'GET') {
      sendJson(res, 200, {
        multiStageQuery: {
          type: 'multiStageQuery', taskId: id,
          payload: {
            status: { status: t.statusCode, startTime: t.createdTime, durationMs: t.duration, pendingTasks: 0, runningTasks: t.statusCode === 'RUNNING' ? 1 : 0,
              ...(t.errorMsg !== null ? { errorReport: { taskId: id, host: 'localhost', error: { errorCode: 'UnknownError', errorMessage: t.errorMsg } } } : {}) },
            stages: [], counters: { 0: { 0: { segmentGenerator: { type: 'segmentGenerationProgress', rowsPushed: t.rows } } } },
          },
        },
      })
    } else if (m[2] === '/shutdown' && method === 'POST') {
      if (t.statusCode !== 'RUNNING') sendJson(res, 404, { error: `Task [${id}] is not running` })
      else sendJson(res, 200, { task: id })
    } else if (m[2] === undefined && method === 'GET') sendJson(res, 200, { task: id, payload: { type: 'query_controller', id, dataSource: t.dataSource, spec: { query: t.sql } } })
    else return false
    return true
  }
  const list = /^\/druid\/indexer\/v1\/(tasks|completeTasks|runningTasks|waitingTasks|pendingTasks)$/.exec(path)
  if (list !== null && method === 'GET') {
    const state = list[1] === 'tasks' ? query.get('state') : list[1]!.replace('Tasks', '')
    if (state !== null && !['running', 'complete', 'waiting', 'pending'].includes(state)) {
      sendError(res, druidException(400, 'INVALID_INPUT', 'invalidInput', `Invalid task state [${state}]`))
      return true
    }
    const ds = query.get('datasource')
    const out = [...tasks.values()]
      .filter((t) => state === null || (state === 'running' ? t.statusCode === 'RUNNING' : state === 'complete' ? t.statusCode !== 'RUNNING' : false))
      .filter((t) => ds === null || t.dataSource === ds)
      .map(statusOf)
    sendJson(res, 200, out)
    return true
  }
  return false
}
