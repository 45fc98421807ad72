import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { invalidInput, type ServerError } from './druid-errors.ts'

/**
 * The few text rewrites no DuckDB macro can express: leading `SET` statements (query context), the
 * `INFORMATION_SCHEMA` schema name (DuckDB's own is read-only), and SQL-based ingestion statements (`EXTERN`,
 * `PARTITIONED BY`, `CLUSTERED BY`, `OVERWRITE`; https://druid.apache.org/docs/latest/multi-stage-query/reference).
 * Rewrites never touch string literals.
 */

/** Applies `fn` to the parts of `sql` outside single-quoted literals. */
export function outsideStrings(sql: string, fn: (part: string) => string): string {
  let out = ''
  let i = 0
  while (i < sql.length) {
    const q = sql.indexOf("'", i)
    if (q < 0) {
      out += fn(sql.slice(i))
      break
    }
    out += fn(sql.slice(i, q))
    let j = q + 1
    for (;;) {
      const e = sql.indexOf("'", j)
      if (e < 0) {
        j = sql.length
        break
      }
      if (sql[e + 1] === "'") {
        j = e + 2
        continue
      }
      j = e + 1
      break
    }
    out += sql.slice(q, j)
    i = j
  }
  return out
}

/** Leading `SET key = literal;` statements → context entries, and the statement after them. */
export function splitSetStatements(query: string): { context: Record<string, unknown>; sql: string } {
  const context: Record<string, unknown> = {}
  let rest = query
  const re = /^\s*SET\s+("?)([A-Za-z_][\w]*)\1\s*=\s*('(?:[^']|'')*'|TRUE|FALSE|-?\d+(?:\.\d+)?)\s*;/i
  for (;;) {
    const m = re.exec(rest)
    if (m === null) break
    const v = m[3]!
    context[m[2]!] = v.startsWith("'") ? v.slice(1, -1).replaceAll("''", "'") : /^true$/i.test(v) ? true : /^false$/i.test(v) ? false : Number(v)
    rest = rest.slice(m[0].length)
  }
  return { context, sql: rest.trim().replace(/;\s*$/, '') }
}

/** First keyword of a statement (after comments and opening parentheses), upper-case. */
export function statementKind(sql: string): string {
  const s = sql.replace(/^(\s|--[^\n]*\n|\/\*[\s\S]*?\*\/|\()*/, '')
  return (/^[A-Za-z]+/.exec(s)?.[0] ?? '').toUpperCase()
}

/** `INFORMATION_SCHEMA.x` → the views that stand in for Druid's. */
export function rewriteCatalogNames(sql: string): string {
  return outsideStrings(sql, (part) => part.replace(/"?\bINFORMATION_SCHEMA\b"?\s*\./gi, 'druid_information_schema.'))
}

/** A parsed SQL-based ingestion statement. */
export interface IngestionPlan {
  datasource: string
  /** `true` for REPLACE ... OVERWRITE ALL (the datasource is replaced). */
  replace: boolean
  /** The SELECT to run, with EXTERN rewritten to DuckDB readers. */
  select: string
}

function unquote(lit: string): string {
  return lit.slice(1, -1).replaceAll("''", "'")
}

const DUCK_TYPES: Record<string, string> = { string: 'VARCHAR', long: 'BIGINT', double: 'DOUBLE', float: 'FLOAT', varchar: 'VARCHAR', bigint: 'BIGINT', timestamp: 'TIMESTAMP' }

function reader(source: Record<string, unknown>, format: Record<string, unknown>, tmpDir: string): string {
  let files: string[]
  if (source['type'] === 'local') {
    files = Array.isArray(source['files']) ? (source['files'] as string[]) : [join(String(source['baseDir'] ?? '.'), String(source['filter'] ?? '*'))]
  } else if (source['type'] === 'inline') {
    const file = join(tmpDir, `inline-${Date.now()}-${Math.random().toString(36).slice(2)}`)
    writeFileSync(file, String(source['data'] ?? ''))
    files = [file]
  } else if (source['type'] === 'http' && Array.isArray(source['uris'])) {
    files = (source['uris'] as string[]).map((u) => (u.startsWith('file://') ? new URL(u).pathname : u))
  } else {
    throw new Error(`inputSource type ${JSON.stringify(source['type'])} is not supported by the local server (local, inline, http with file:// URIs)`)
  }
  const list = `[${files.map((f) => `'${f.replaceAll("'", "''")}'`).join(', ')}]`
  switch (format['type']) {
    case 'parquet':
      return `read_parquet(${list})`
    case 'json':
      return `read_json(${list}, format = 'newline_delimited')`
    case 'csv':
    case 'tsv': {
      const delim = format['type'] === 'tsv' ? String(format['delimiter'] ?? '\t') : ','
      const header = format['findColumnsFromHeader'] === true || !Array.isArray(format['columns'])
      const names = Array.isArray(format['columns']) && !header ? `, names = [${(format['columns'] as string[]).map((c) => `'${c}'`).join(', ')}]` : ''
      const skip = Number(format['skipHeaderRows'] ?? 0)
      return `read_csv(${list}, header = ${header}, delim = '${delim.replaceAll("'", "''")}'${names}${skip > 0 ? `, skip = ${skip}` : ''}, all_varchar = true)`
    }
    default:
      throw new Error(`inputFormat type ${JSON.stringify(format['type'])} is not supported by the local server (parquet, json, csv, tsv)`)
  }
}

/** Replaces `TABLE(EXTERN(source, format, signature)) [EXTEND (...)]` with a typed subquery over a DuckDB reader. */
export function rewriteExtern(sql: string, tmpDir: string): string {
  const lit = `'(?:[^']|'')*'`
  const arg = `(?:\\w+\\s*=>\\s*)?(${lit})`
  const re = new RegExp(`TABLE\\s*\\(\\s*EXTERN\\s*\\(\\s*${arg}\\s*,\\s*${arg}\\s*(?:,\\s*${arg}\\s*)?\\)\\s*\\)(\\s*(?:EXTEND\\s*)?\\(([^()]*)\\))?`, 'gi')
  return sql.replace(re, (_m, src: string, fmt: string, sig: string | undefined, _ext: string | undefined, extend: string | undefined) => {
    const source = JSON.parse(unquote(src)) as Record<string, unknown>
    const format = JSON.parse(unquote(fmt)) as Record<string, unknown>
    let columns: { name: string; type: string }[] = []
    if (sig !== undefined) columns = JSON.parse(unquote(sig)) as { name: string; type: string }[]
    else if (extend !== undefined) {
      columns = extend.split(',').map((c) => {
        const m = /^\s*"?([^"\s]+)"?\s+(\w+)/.exec(c)
        return { name: m?.[1] ?? c.trim(), type: (m?.[2] ?? 'VARCHAR').toLowerCase() }
      })
    }
    const from = reader(source, format, tmpDir)
    const list = columns.length === 0 ? '*' : columns.map((c) => `TRY_CAST("${c.name.replaceAll('"', '""')}" AS ${DUCK_TYPES[c.type.toLowerCase()] ?? 'VARCHAR'}) AS "${c.name.replaceAll('"', '""')}"`).join(', ')
    return `(SELECT ${list} FROM ${from})`
  })
}

/**
 * Parses `INSERT INTO ds <select> PARTITIONED BY ... [CLUSTERED BY ...]` and
 * `REPLACE INTO ds OVERWRITE ALL|WHERE ... <select> PARTITIONED BY ...`.
 */
export function parseIngestion(sql: string, tmpDir: string): IngestionPlan | ServerError {
  const m = /^\s*(INSERT|REPLACE)\s+INTO\s+((?:"(?:[^"]|"")+"|[\w-]+)(?:\s*\.\s*(?:"(?:[^"]|"")+"|[\w-]+))?)\s*/i.exec(sql)
  if (m === null) return invalidInput('Only INSERT INTO ... and REPLACE INTO ... statements can run as SQL-based ingestion tasks')
  const replace = m[1]!.toUpperCase() === 'REPLACE'
  let rest = sql.slice(m[0].length)
  const name = m[2]!.split(/\s*\.\s*/).pop()!
  const datasource = name.startsWith('"') ? name.slice(1, -1).replaceAll('""', '"') : name
  if (replace) {
    const o = /^OVERWRITE\s+(ALL|WHERE\s+[\s\S]*?)\s+(?=SELECT|WITH|\()/i.exec(rest)
    if (o === null) return invalidInput('Missing time chunk information in OVERWRITE clause for REPLACE. Use OVERWRITE WHERE <__time based condition> or OVERWRITE ALL to overwrite the entire table.')
    rest = rest.slice(o[0].length)
  }
  const p = /\s+PARTITIONED\s+BY\s+[\s\S]*$/i.exec(outsideStrings(rest, (s) => s))
  if (p === null) return invalidInput(`Operation [${replace ? 'REPLACE' : 'INSERT'}] requires a PARTITIONED BY to be explicitly defined, but none was found.`)
  const select = rest.slice(0, p.index)
  return { datasource, replace, select: rewriteCatalogNames(rewriteExtern(select, tmpDir)) }
}
