import { E6dataError } from './errors.ts'

/**
 * A value that can be bound into an e6data statement: `null`/`undefined` → `NULL`; numbers (finite) and bigints
 * as digits; booleans `TRUE`/`FALSE`; strings and Buffers (UTF-8) as quoted string literals; `Date` as
 * `'YYYY-MM-DD HH:MM:SS.ffffff'` (UTC); arrays as `(a, b, ...)` for `IN` lists.
 */
export type E6dataParameter = null | undefined | number | bigint | boolean | string | Buffer | Date | readonly E6dataParameter[]

/**
 * Quotes a string the way e6data's SQL reads string literals (and the connector escapes them,
 * e6data/e6data-python-connector `e6data_python_connector/common.py` `escape_string`): backslash escapes for
 * `\`, `'`, CR, LF and TAB, plus a doubled `''` never being produced, so no value can end the literal.
 */
export function quoteString(s: string): string {
  let out = "'"
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    switch (c) {
      case 0x5c:
        out += '\\\\'
        break
      case 0x27:
        out += "\\'"
        break
      case 0x0d:
        out += '\\r'
        break
      case 0x0a:
        out += '\\n'
        break
      case 0x09:
        out += '\\t'
        break
      case 0x00:
        throw new E6dataError('A string parameter contains a NUL character, which e6data string literals cannot hold', { code: 'INVALID_PARAMETER' })
      default:
        out += s[i]
    }
  }
  return out + "'"
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0')
}

/** SQL literal of one parameter value. @throws E6dataError `INVALID_PARAMETER` for NaN/Infinity or other types. */
export function literal(value: E6dataParameter): string {
  if (value === null || value === undefined) return 'NULL'
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new E6dataError(`Cannot bind ${value}: e6data SQL has no literal for it`, { code: 'INVALID_PARAMETER' })
    return String(value)
  }
  if (typeof value === 'bigint') return value.toString()
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE'
  if (typeof value === 'string') return quoteString(value)
  if (Buffer.isBuffer(value)) return quoteString(value.toString('utf8'))
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new E6dataError('Cannot bind an invalid Date', { code: 'INVALID_PARAMETER' })
    const d = value
    return `'${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}000'`
  }
  if (Array.isArray(value)) {
    if (value.length === 0) throw new E6dataError('Cannot bind an empty list: `IN ()` is not valid SQL', { code: 'INVALID_PARAMETER' })
    return `(${value.map(literal).join(', ')})`
  }
  throw new E6dataError(`Cannot bind a value of type ${typeof value}`, { code: 'INVALID_PARAMETER' })
}

/**
 * Substitutes parameters into `sql`, client-side, as the connector does (its `paramstyle` is `pyformat`): `%s`
 * takes the next value of an array, `%(name)s` the named value of an object, `%%` is a literal `%`. Placeholders
 * are only recognised outside string literals, quoted identifiers and comments, and values are inserted in one
 * pass (a value containing `%s` is never read as a placeholder), so no value can change the statement's structure.
 *
 * @throws E6dataError `INVALID_PARAMETER` when the number of placeholders and values differ or a name is missing.
 * @example bindParameters('SELECT * FROM t WHERE a = %s AND b IN %s', ["O'Brien", [1, 2]])
 */
export function bindParameters(sql: string, params: readonly E6dataParameter[] | Readonly<Record<string, E6dataParameter>>): string {
  const positional = Array.isArray(params)
  let next = 0
  let out = ''
  let i = 0
  const n = sql.length
  while (i < n) {
    const c = sql[i]!
    if (c === "'" || c === '"' || c === '`') {
      // copy a quoted literal / identifier; backslash escapes inside string literals, doubled quotes anywhere
      let j = i + 1
      while (j < n) {
        const d = sql[j]!
        if (d === '\\' && c === "'") j += 2
        else if (d === c) {
          if (sql[j + 1] === c) j += 2
          else break
        } else j++
      }
      out += sql.slice(i, j + 1)
      i = j + 1
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
    } else if (c === '%' && sql[i + 1] === '%') {
      out += '%'
      i += 2
    } else if (c === '%' && sql[i + 1] === 's') {
      if (!positional) throw new E6dataError('The statement uses %s but the parameters are named; use %(name)s', { code: 'INVALID_PARAMETER' })
      if (next >= (params as readonly E6dataParameter[]).length) {
        throw new E6dataError(`The statement has more %s placeholders than the ${(params as readonly E6dataParameter[]).length} parameters given`, { code: 'INVALID_PARAMETER' })
      }
      out += literal((params as readonly E6dataParameter[])[next++])
      i += 2
    } else if (c === '%' && sql[i + 1] === '(') {
      const close = sql.indexOf(')s', i + 2)
      if (close < 0) throw new E6dataError('Unterminated %(name)s placeholder', { code: 'INVALID_PARAMETER' })
      const name = sql.slice(i + 2, close)
      if (positional || !Object.hasOwn(params, name)) throw new E6dataError(`No parameter named ${JSON.stringify(name)}`, { code: 'INVALID_PARAMETER' })
      out += literal((params as Record<string, E6dataParameter>)[name])
      i = close + 2
    } else {
      out += c
      i++
    }
  }
  if (positional && next !== params.length) {
    throw new E6dataError(`The statement has ${next} %s placeholders but ${params.length} parameters were given`, { code: 'INVALID_PARAMETER' })
  }
  return out
}
