import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { dateValue, JSDuckDBValueConverter, listValue, timestampValue, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api'
import type { DruidEngine, QueryRecord } from './druid-engine.ts'
import { druidException, fromEngineError, invalidInput, legacyError, type ServerError } from './druid-errors.ts'
import { parseExactJson, readBody, sendError, sendJson, writeWithBackpressure } from './http-util.ts'
import { describeColumn, engineRowSql, FormatWriter, type OutColumn, type ResultFormat } from './result-writer.ts'
import { rewriteCatalogNames, splitSetStatements, statementKind } from './sql-rewrite.ts'

/** A parsed SQL request body (https://druid.apache.org/docs/latest/api-reference/sql-api#request-body). */
export interface SqlRequest {
  query: string
  resultFormat: ResultFormat
  header: boolean
  typesHeader: boolean
  sqlTypesHeader: boolean
  context: Record<string, unknown>
  parameters: { type: string; value: unknown }[]
}

const FORMATS: Record<string, ResultFormat> = { array: 'array', object: 'object', arraylines: 'arrayLines', objectlines: 'objectLines', csv: 'csv' }

/** Reads the body as Druid does: JSON by content type, else the text is the query (object format, no header). */
export async function readSqlRequest(req: IncomingMessage): Promise<SqlRequest | ServerError> {
  const text = await readBody(req)
  const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
  if (type === 'text/plain' || type === 'application/x-www-form-urlencoded') {
    const query = type === 'text/plain' ? text : decodeURIComponent(text.replace(/\+/g, ' '))
    return { query, resultFormat: 'object', header: false, typesHeader: false, sqlTypesHeader: false, context: {}, parameters: [] }
  }
  if (type !== 'application/json') return druidException(415, 'INVALID_INPUT', 'invalidInput', `Unsupported Content-Type: ${type || '(none)'}; send application/json`)
  let body: Record<string, unknown>
  try {
    body = parseExactJson(text) as Record<string, unknown>
  } catch (err) {
    return druidException(400, 'INVALID_INPUT', 'invalidInput', `Malformed SQL request: ${(err as Error).message}`)
  }
  if (typeof body['query'] !== 'string') return druidException(400, 'INVALID_INPUT', 'invalidInput', 'Missing query in the request body')
  const format = FORMATS[String(body['resultFormat'] ?? 'object').toLowerCase()]
  if (format === undefined) return druidException(400, 'INVALID_INPUT', 'invalidInput', `Unsupported resultFormat [${String(body['resultFormat'])}]`)
  const header = body['header'] === true
  return {
    query: body['query'],
    resultFormat: format,
    header,
    typesHeader: header && body['typesHeader'] === true,
    sqlTypesHeader: header && body['sqlTypesHeader'] === true,
    context: (body['context'] ?? {}) as Record<string, unknown>,
    parameters: (body['parameters'] ?? []) as { type: string; value: unknown }[],
  }
}

function millisOf(v: unknown): number {
  if (typeof v === 'number' || typeof v === 'bigint') return Number(v)
  const s = String(v)
  return Date.parse(/T/.test(s) || !/ /.test(s) ? s : `${s.replace(' ', 'T')}Z`)
}

/** A Druid `{type, value}` parameter as a DuckDB value (apache/druid `sql/.../http/SqlParameter.java` types). */
export function bindParameter(p: { type: string; value: unknown }, index: number): DuckDBValue | ServerError {
  const v = p.value
  if (v === null || v === undefined) return invalidInput(`Parameter at position [${index}] is not bound`)
  switch (String(p.type).toUpperCase()) {
    case 'VARCHAR':
    case 'CHAR':
      return String(v)
    case 'BIGINT':
    case 'INTEGER':
    case 'SMALLINT':
    case 'TINYINT':
      if (typeof v === 'string') return druidException(500, 'RUNTIME_FAILURE', 'general', 'Cannot handle query', {}, 'ADMIN')
      return BigInt(typeof v === 'number' ? Math.trunc(v) : (v as bigint))
    case 'DOUBLE':
    case 'FLOAT':
    case 'REAL':
    case 'DECIMAL':
      return Number(v)
    case 'BOOLEAN':
      return v === true || v === 'true' || v === 1
    case 'TIMESTAMP':
      return timestampValue(BigInt(millisOf(v)) * 1000n)
    case 'DATE':
      return dateValue(Math.floor(millisOf(v) / 86_400_000))
    case 'ARRAY':
      if (!Array.isArray(v)) return invalidInput(`Parameter at position [${index}] of type ARRAY is not an array`)
      return listValue(v.map((e) => (typeof e === 'number' && Number.isInteger(e) ? BigInt(e) : (e as DuckDBValue))))
    default:
      return invalidInput(`Parameter type [${p.type}] is not supported`)
  }
}

/** Druid's output names: column references keep their name, other expressions are `EXPR$<index>`. */
function outputName(name: string, index: number): string {
  return /^[A-Za-z_][\w$]*$/.test(name) ? name : `EXPR$${index}`
}

/** Validates and prepares a read query; `undefined` sql means the error is in `error`. */
export function prepareQuery(body: SqlRequest): { sql: string; context: Record<string, unknown>; values: DuckDBValue[] } | ServerError {
  const { context: setContext, sql } = splitSetStatements(body.query)
  const kind = statementKind(sql)
  if (kind === 'INSERT' || kind === 'REPLACE') {
    return invalidInput(`${kind} operations are not supported by requested SQL engine [native], consider using MSQ.`)
  }
  if (!['SELECT', 'WITH', 'VALUES', 'EXPLAIN'].includes(kind)) {
    return invalidInput(kind === '' ? 'Incorrect syntax near the keyword: empty query' : `Unsupported SQL statement [${kind}]`, 1, 1)
  }
  const values: DuckDBValue[] = []
  for (let i = 0; i < body.parameters.length; i++) {
    const v = bindParameter(body.parameters[i]!, i)
    if (v !== null && typeof v === 'object' && 'status' in (v as object) && 'body' in (v as object)) return v as ServerError
    values.push(v as DuckDBValue)
  }
  return { sql: rewriteCatalogNames(sql), context: { ...body.context, ...setContext }, values }
}

/** `EXPLAIN PLAN [options] FOR <query>` → the query; `undefined` when `sql` is not in that form. */
export function explainTarget(sql: string): string | undefined {
  const m = /^(?:\s|--[^\n]*\n|\/\*[\s\S]*?\*\/)*EXPLAIN\s+PLAN\s+(?:(?:INCLUDING|EXCLUDING)\s+(?:ALL\s+)?ATTRIBUTES\s+|WITH(?:OUT)?\s+IMPLEMENTATION\s+|WITH\s+TYPE\s+|AS\s+(?:JSON|XML|TEXT|DOT)\s+)*FOR\s+/i.exec(sql)
  return m === null ? undefined : sql.slice(m[0].length)
}

/** Every `BASE_TABLE` reference in a `json_serialize_sql` tree, minus the names its CTEs define. */
function tableRefs(node: unknown, refs: Set<string>, ctes: Set<string>): void {
  if (Array.isArray(node)) {
    for (const n of node) tableRefs(n, refs, ctes)
    return
  }
  if (node === null || typeof node !== 'object') return
  const o = node as Record<string, unknown>
  if (o['type'] === 'BASE_TABLE' && typeof o['table_name'] === 'string' && (o['schema_name'] === '' || o['schema_name'] === 'druid')) refs.add(o['table_name'])
  const cteMap = (o['cte_map'] as { map?: { key: string }[] } | undefined)?.map
  for (const e of cteMap ?? []) ctes.add(e.key)
  for (const v of Object.values(o)) tableRefs(v, refs, ctes)
}

/**
 * Answers `EXPLAIN PLAN FOR <query>` with Druid's one row of `PLAN`, `RESOURCES`, `ATTRIBUTES`
 * (https://druid.apache.org/docs/latest/querying/sql-translation#interpreting-explain-plan-output), as a SELECT of
 * three string parameters that the normal path then writes in any result format. PLAN is DuckDB's physical plan
 * (its `EXPLAIN`, which also validates the query: errors throw as for the query itself), not a Druid native query.
 * RESOURCES are the datasources (tables of schema `druid`) the query names, from DuckDB's parse tree.
 */
async function explainAsSelect(connection: DuckDBConnection, query: string, values: DuckDBValue[]): Promise<{ sql: string; values: DuckDBValue[] }> {
  // with parameters, a parse error arrives as "Failed to extract statements: Parser Error: …"; keep DuckDB's own text
  const explained = await connection.runAndReadAll(`EXPLAIN ${query}`, values).catch((err: unknown) => {
    throw new Error(String(err instanceof Error ? err.message : err).replace(/^Failed to extract statements: /, ''))
  })
  const planText = explained.getRows().map((r) => String(r[1] ?? '')).join('\n')
  const signature = (await connection.runAndReadAll(`SELECT * FROM (${query}) AS "__druid_q" LIMIT 0`, values)).columnNames()
  const tree = JSON.parse(String((await connection.runAndReadAll(`SELECT json_serialize_sql($1::VARCHAR)`, [query])).getRows()[0]![0])) as unknown
  const refs = new Set<string>()
  const ctes = new Set<string>()
  tableRefs(tree, refs, ctes)
  const datasources = new Set(
    (await connection.runAndReadAll(`SELECT table_name FROM duckdb_tables() WHERE schema_name = 'druid'`)).getRows().map((r) => String(r[0])),
  )
  const resources = [...refs].filter((t) => !ctes.has(t) && datasources.has(t)).sort().map((name) => ({ name, type: 'DATASOURCE' }))
  const plan = [{ query: { queryType: 'duckdb', plan: planText }, signature: signature.map((name, i) => ({ name: outputName(name, i) })) }]
  return {
    sql: 'SELECT $1::VARCHAR AS "PLAN", $2::VARCHAR AS "RESOURCES", $3::VARCHAR AS "ATTRIBUTES"',
    values: [JSON.stringify(plan), JSON.stringify(resources), JSON.stringify({ statementType: 'SELECT' })],
  }
}

/**
 * `POST /druid/v2/sql`: runs the query on DuckDB and streams the chosen format chunk by chunk (2048 rows per DuckDB
 * chunk, writes wait for back-pressure). Status and headers are committed when the first chunk is ready, so
 * errors before it are clean JSON errors; a failure, cancel or timeout after it cuts the body (no terminator),
 * as Druid's `QueryResultPusher` does.
 */
export async function handleSql(engine: DruidEngine, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readSqlRequest(req)
  if ('status' in body) return sendError(res, body)
  const sqlQueryId = typeof body.context['sqlQueryId'] === 'string' ? body.context['sqlQueryId'] : randomUUID()
  const idHeaders = { 'x-druid-sql-query-id': sqlQueryId, 'x-druid-query-id': sqlQueryId }
  const prepared = prepareQuery(body)
  if ('status' in prepared) return sendError(res, prepared, idHeaders)
  const connection = await engine.connect()
  const record: QueryRecord = { id: sqlQueryId, sql: prepared.sql, state: 'running', rows: 0, connection }
  engine.queries.set(sqlQueryId, record)
  let started = false
  let timedOut = false
  let columnsOverride: OutColumn[] | undefined
  const timeout = Number(prepared.context['timeout'] ?? 0)
  const timer = timeout > 0 ? setTimeout(() => ((timedOut = true), connection.interrupt()), timeout) : undefined
  const onClose = (): void => {
    if (record.state === 'running' && !res.writableFinished) {
      record.state = 'cancelled'
      connection.interrupt()
    }
  }
  res.on('close', onClose)
  try {
    const stringify = prepared.context['sqlStringifyArrays'] !== false
    // JSON formats: learn the columns with LIMIT 0, then let DuckDB encode each row (see engineRowSql).
    let engineJson = false
    let result
    if (statementKind(prepared.sql) === 'EXPLAIN') {
      const target = explainTarget(prepared.sql)
      if (target === undefined) {
        record.state = 'failed'
        return sendError(res, invalidInput('Incorrect syntax: only EXPLAIN PLAN FOR <query> is supported', 1, 1), idHeaders)
      }
      Object.assign(prepared, await explainAsSelect(connection, target, prepared.values))
    }
    if (body.resultFormat !== 'csv' && statementKind(prepared.sql) !== 'EXPLAIN') {
      const probe = await connection.runAndReadAll(`SELECT * FROM (${prepared.sql}) AS "__druid_q" LIMIT 0`, prepared.values).catch(() => undefined)
      if (probe !== undefined) {
        const probeNames = probe.columnNames().map((n, i) => outputName(n, i))
        const rowSql = engineRowSql(probe.columnTypes(), probeNames, body.resultFormat.startsWith('object'), stringify)
        result = await connection.stream(`SELECT ${rowSql} FROM (${prepared.sql}) AS "__druid_q"`, prepared.values)
        engineJson = true
        columnsOverride = probe.columnTypes().map((t, i) => describeColumn(probeNames[i]!, t, stringify))
      }
    }
    result ??= await connection.stream(prepared.sql, prepared.values)
    const names = result.columnNames()
    const columns: OutColumn[] = columnsOverride ?? result.columnTypes().map((t, i) => describeColumn(outputName(names[i]!, i), t, stringify))
    const writer = new FormatWriter(body.resultFormat, columns, body)
    let chunk = await result.fetchChunk()
    const contentType = body.resultFormat === 'csv' ? 'text/csv' : body.resultFormat.endsWith('Lines') ? 'text/plain' : 'application/json'
    res.writeHead(200, { 'content-type': contentType, ...idHeaders, ...(body.header ? { 'x-druid-sql-header-included': 'yes' } : {}) })
    started = true
    await writeWithBackpressure(res, writer.start())
    while (chunk !== null && chunk.rowCount > 0) {
      if (record.state !== 'running' || timedOut) throw new Error('INTERRUPT')
      if (engineJson) {
        const texts = chunk.getColumnValues(0) as string[]
        record.rows += texts.length
        await writeWithBackpressure(res, writer.encodedRows(texts))
      } else {
        const rows = chunk.convertRows(JSDuckDBValueConverter) as unknown[][]
        record.rows += rows.length
        await writeWithBackpressure(res, writer.rows(rows))
      }
      chunk = await result.fetchChunk()
    }
    if (record.state !== 'running' || timedOut) throw new Error('INTERRUPT')
    record.state = 'done'
    res.end(writer.end())
  } catch (err) {
    if (record.state === 'running') record.state = timedOut ? 'cancelled' : 'failed'
    if (started) {
      res.destroy()
      return
    }
    if (timedOut) return sendError(res, legacyError(504, 'TIMEOUT', 'Query timeout', `Query [${sqlQueryId}] timed out.`, 'org.apache.druid.query.QueryTimeoutException'), idHeaders)
    if (record.state === 'cancelled') return sendError(res, legacyError(500, 'CANCELED', 'Query cancelled', `Query [${sqlQueryId}] was cancelled.`, 'org.apache.druid.query.QueryInterruptedException'), idHeaders)
    sendError(res, fromEngineError(err), idHeaders)
  } finally {
    if (timer !== undefined) clearTimeout(timer)
    res.off('close', onClose)
    connection.closeSync()
  }
}

/** `DELETE /druid/v2/sql/{id}`: 202 when the query was running, 404 otherwise. */
export function handleCancel(engine: DruidEngine, id: string, res: ServerResponse): void {
  if (engine.cancel(id)) {
    res.writeHead(202)
    res.end()
  } else sendJson(res, 404, { error: 'druidException', errorCode: 'notFound', persona: 'USER', category: 'NOT_FOUND', errorMessage: `Query [${id}] not found`, context: {} })
}
