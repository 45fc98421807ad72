import { BTrDBStatus, type StreamRegistry } from './stream-registry.ts'

/**
 * SQLQuery for the local server: not a SQL engine, a small reader of the statements the clients send over the
 * `streams` metadata table (uuid, collection, name, unit, ingress, property_version, annotations). Supported:
 * `SELECT [DISTINCT] <items | *> FROM streams [WHERE <cond> [AND <cond>]...]` where an item is a column,
 * `skeys(annotations)` (one row per annotation key, as PostgreSQL's hstore function) or `distinct(<item>)`, each with
 * an optional `AS alias` (btrdb-python's `list_unique_names`/`_units`/`_annotations` send
 * `select distinct(skeys(annotations)) as annotations from streams where collection like $1`); a condition is
 * `<column> = <literal | $n>`, `<column> LIKE <literal | $n>` or `annotations -> '<key>' = <literal | $n>`, and
 * `$n::text` casts are ignored. Anything else is answered with [501].
 */
const COLUMNS = ['uuid', 'collection', 'name', 'unit', 'ingress', 'property_version', 'annotations'] as const

type Row = Record<string, unknown>

export function runMetadataSql(registry: StreamRegistry, sql: string, params: readonly string[]): Row[] {
  const m = /^\s*select\s+(distinct\s+)?(.+?)\s+from\s+streams\b(?:\s+where\s+(.+?))?\s*;?\s*$/is.exec(sql)
  if (m === null) throw new BTrDBStatus(501, 'the local BTrDB only answers SELECT … FROM streams [WHERE …]')
  let distinct = m[1] !== undefined
  const items = m[2]!.trim() === '*' ? COLUMNS.map((c) => ({ expr: c as string, alias: c as string })) : m[2]!.split(',').map((raw) => {
    const it = /^\s*(distinct\s*\(\s*)?(skeys\s*\(\s*annotations\s*\)|\w+)\s*(\))?(?:\s+as\s+(\w+))?\s*$/i.exec(raw)
    if (it === null || (it[1] !== undefined) !== (it[3] !== undefined)) throw new BTrDBStatus(441, `unknown column ${raw.trim()}`)
    if (it[1] !== undefined) distinct = true // distinct(x) is DISTINCT over the parenthesised x
    const expr = it[2]!.toLowerCase().replace(/\s+/g, '')
    if (expr !== 'skeys(annotations)' && !(COLUMNS as readonly string[]).includes(expr)) throw new BTrDBStatus(441, `unknown column ${raw.trim()}`)
    return { expr, alias: it[4] ?? (expr === 'skeys(annotations)' ? 'skeys' : expr) }
  })
  const value = (token: string): string => {
    const t = token.trim().replace(/::\w+$/, '')
    const p = /^\$(\d+)$/.exec(t)
    if (p !== null) {
      const v = params[Number(p[1]) - 1]
      if (v === undefined) throw new BTrDBStatus(441, `missing parameter ${t}`)
      return v
    }
    const s = /^'((?:[^']|'')*)'$/.exec(t)
    if (s === null) throw new BTrDBStatus(441, `unsupported value ${t}`)
    return s[1]!.replace(/''/g, "'")
  }
  const conds = (m[3] ?? '').trim() === '' ? [] : m[3]!.split(/\s+and\s+/i)
  const tests = conds.map((c) => {
    const a = /^\s*annotations\s*->\s*'([^']*)'\s*=\s*(.+)$/i.exec(c)
    if (a !== null) {
      const want = value(a[2]!)
      return (r: Row) => (r.annotations as Record<string, string>)[a[1]!] === want
    }
    const e = /^\s*(\w+)\s+(=|like|ilike)\s+(.+)$/i.exec(c)
    if (e === null || !(COLUMNS as readonly string[]).includes(e[1]!.toLowerCase())) throw new BTrDBStatus(501, `unsupported condition ${c.trim()}`)
    const col = e[1]!.toLowerCase()
    const want = value(e[3]!)
    if (e[2] === '=') return (r: Row) => String(r[col]) === want
    const re = new RegExp(`^${want.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.')}$`, e[2]!.toLowerCase() === 'ilike' ? 'is' : 's')
    return (r: Row) => r[col] !== null && re.test(String(r[col]))
  })
  const out: Row[] = []
  const seen = new Set<string>()
  for (const s of registry.streams.values()) {
    const full: Row = {
      uuid: s.uuid,
      collection: s.collection,
      name: s.tags.get('name') ?? null,
      unit: s.tags.get('unit') ?? null,
      ingress: s.tags.get('ingress') ?? null,
      property_version: Number(s.propertyVersion),
      annotations: Object.fromEntries(s.annotations),
    }
    if (!tests.every((t) => t(full))) continue
    // skeys(annotations) is set-returning: one output row per key (none for a stream without annotations).
    const keys = items.some((i) => i.expr === 'skeys(annotations)') ? [...s.annotations.keys()] : [undefined]
    for (const key of keys) {
      const row = Object.fromEntries(items.map((i) => [i.alias, i.expr === 'skeys(annotations)' ? key : full[i.expr]]))
      if (distinct) {
        const k = JSON.stringify(row)
        if (seen.has(k)) continue
        seen.add(k)
      }
      out.push(row)
    }
  }
  return out
}
