/**
 * The one SQL difference the local engine must bridge: e6data string literals take backslash escapes
 * (`'O\'Brien'`, `'a\\b'`, `'\n'`; the connector's parameter escaping relies on it, e6data/e6data-python-connector
 * `e6data_python_connector/common.py`), while DuckDB's standard literals do not. Every `'...'` literal is read with
 * the engine's rules and written back as a DuckDB literal (quotes doubled). Double-quoted identifiers, comments and
 * everything else pass through unchanged.
 *
 * @throws Error `unterminated string literal` (answered to the client as a query error).
 */
export function translateStringLiterals(sql: string): string {
  let out = ''
  let i = 0
  const n = sql.length
  while (i < n) {
    const c = sql[i]!
    if (c === "'") {
      let value = ''
      let j = i + 1
      let closed = false
      while (j < n) {
        const d = sql[j]!
        if (d === '\\' && j + 1 < n) {
          const e = sql[j + 1]!
          value += e === 'n' ? '\n' : e === 'r' ? '\r' : e === 't' ? '\t' : e === '0' ? '\0' : e
          j += 2
        } else if (d === "'") {
          if (sql[j + 1] === "'") {
            value += "'"
            j += 2
          } else {
            closed = true
            j++
            break
          }
        } else {
          value += d
          j++
        }
      }
      if (!closed) throw new Error(`unterminated string literal starting at character ${i + 1}`)
      out += `'${value.replaceAll("'", "''")}'`
      i = j
    } else if (c === '"') {
      const j = sql.indexOf('"', i + 1)
      const end = j < 0 ? n : j + 1
      out += sql.slice(i, end)
      i = end
    } else if (c === '-' && sql[i + 1] === '-') {
      const j = sql.indexOf('\n', i)
      const end = j < 0 ? n : j
      out += sql.slice(i, end)
      i = end
    } else if (c === '/' && sql[i + 1] === '*') {
      const j = sql.indexOf('*/', i + 2)
      const end = j < 0 ? n : j + 2
      out += sql.slice(i, end)
      i = end
    } else {
      out += c
      i++
    }
  }
  return out
}
