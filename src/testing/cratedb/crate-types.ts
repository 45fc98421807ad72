import { keyword, type SqlToken } from './sql-tokenizer.ts'

/**
 * A CrateDB column type and the PostgreSQL type the local server stores it as.
 *
 * `crate` is the `information_schema.columns.data_type` spelling
 * (https://cratedb.com/docs/crate/reference/en/latest/general/information-schema.html#information-schema-columns:
 * `text`, `bigint`, `object`,
 * `geo_point`, `text_array`, `integer_array_array` …); `pg` is PostgreSQL DDL text.
 */
export interface CrateType {
  /** CrateDB `data_type` name, e.g. `'timestamp with time zone'`, `'object'`, `'integer_array'`. */
  readonly crate: string
  /** PostgreSQL type, e.g. `'timestamptz'`, `'jsonb'`, `'integer[]'`. */
  readonly pg: string
}

/** Thrown for a type name CrateDB does not know (mapped to `SQLParseException`, 400/4000). */
export class CrateTypeError extends Error {}

interface Parsed {
  readonly type: CrateType
  /** Index of the first token after the type. */
  readonly next: number
}

const SIMPLE: Record<string, CrateType> = {
  TEXT: { crate: 'text', pg: 'text' },
  STRING: { crate: 'text', pg: 'text' },
  VARCHAR: { crate: 'text', pg: 'varchar' },
  INTEGER: { crate: 'integer', pg: 'integer' },
  INT: { crate: 'integer', pg: 'integer' },
  INT4: { crate: 'integer', pg: 'integer' },
  BIGINT: { crate: 'bigint', pg: 'bigint' },
  LONG: { crate: 'bigint', pg: 'bigint' },
  INT8: { crate: 'bigint', pg: 'bigint' },
  SMALLINT: { crate: 'smallint', pg: 'smallint' },
  SHORT: { crate: 'smallint', pg: 'smallint' },
  INT2: { crate: 'smallint', pg: 'smallint' },
  BYTE: { crate: 'byte', pg: 'smallint' },
  REAL: { crate: 'real', pg: 'real' },
  FLOAT: { crate: 'real', pg: 'real' },
  FLOAT4: { crate: 'real', pg: 'real' },
  FLOAT8: { crate: 'double precision', pg: 'double precision' },
  BOOLEAN: { crate: 'boolean', pg: 'boolean' },
  BOOL: { crate: 'boolean', pg: 'boolean' },
  TIMESTAMPTZ: { crate: 'timestamp with time zone', pg: 'timestamptz' },
  DATE: { crate: 'date', pg: 'date' },
  IP: { crate: 'ip', pg: 'inet' },
  GEO_POINT: { crate: 'geo_point', pg: 'double precision[]' },
  GEO_SHAPE: { crate: 'geo_shape', pg: 'jsonb' },
  INTERVAL: { crate: 'interval', pg: 'interval' },
  UUID: { crate: 'uuid', pg: 'uuid' },
  JSON: { crate: 'json', pg: 'json' },
  TIMETZ: { crate: 'time with time zone', pg: 'timetz' },
  REGCLASS: { crate: 'regclass', pg: 'regclass' },
  REGPROC: { crate: 'regproc', pg: 'regproc' },
  REGTYPE: { crate: 'regtype', pg: 'regtype' },
  OIDVECTOR: { crate: 'oidvector', pg: 'oidvector' },
  NUMERIC: { crate: 'numeric', pg: 'numeric' },
  DECIMAL: { crate: 'numeric', pg: 'numeric' },
}

/**
 * CrateDB types that exist for expressions and casts but cannot be stored in a table column (their `storageSupport()`
 * is null in CrateDB): CREATE TABLE / ALTER TABLE … ADD COLUMN with one of them, or an array of one, fails with
 * ``UnsupportedFeatureException[Type `<type>` does not support storage]`` (400/4004).
 */
const NOT_STORABLE: ReadonlySet<string> = new Set(['time with time zone', 'interval', 'json', 'regclass', 'regproc', 'regtype', 'oidvector'])

/**
 * `true` when a column may have type `type` in CrateDB (see {@link NOT_STORABLE}); arrays are storable when their
 * element type is.
 *
 * @example
 * isStorable({ crate: 'interval_array', pg: 'interval[]' }) // false
 */
export function isStorable(type: CrateType): boolean {
  let name = type.crate
  while (name.endsWith('_array')) name = name.slice(0, -'_array'.length)
  return !NOT_STORABLE.has(name)
}

function isPunct(token: SqlToken | undefined, text: string): boolean {
  return token !== undefined && token.type === 'punct' && token.text === text
}

/** Index just after the `)` matching the `(` at `open`. */
export function skipParens(tokens: readonly SqlToken[], open: number): number {
  let depth = 0
  for (let i = open; i < tokens.length; i++) {
    const t = tokens[i]!
    if (t.type !== 'punct') continue
    if (t.text === '(' || t.text === '[' || t.text === '{') depth++
    else if (t.text === ')' || t.text === ']' || t.text === '}') {
      depth--
      if (depth === 0) return i + 1
    }
  }
  throw new CrateTypeError('unbalanced parentheses')
}

function parenArgs(tokens: readonly SqlToken[], open: number): { args: string[]; next: number } {
  const next = skipParens(tokens, open)
  const args = tokens
    .slice(open + 1, next - 1)
    .filter((t) => !(t.type === 'punct' && t.text === ','))
    .map((t) => t.text)
  return { args, next }
}

function arrayOf(inner: CrateType): CrateType {
  // PostgreSQL arrays are n-dimensional of one element type: `integer[][]` is the same type as `integer[]`.
  const pg = inner.pg.endsWith('[]') ? inner.pg : `${inner.pg}[]`
  return { crate: `${inner.crate}_array`, pg }
}

/**
 * Parses a CrateDB type starting at `tokens[index]` (significant tokens only) and maps it to PostgreSQL:
 * TEXT/STRING/VARCHAR(n), CHAR(n)/CHARACTER(n), CHARACTER VARYING(n), INTEGER/INT, BIGINT/LONG, SMALLINT/SHORT,
 * BYTE (→ smallint), DOUBLE [PRECISION], REAL/FLOAT, BOOLEAN, TIMESTAMP [(p)] [WITH|WITHOUT TIME ZONE] (bare
 * TIMESTAMP is WITHOUT TIME ZONE), TIMESTAMPTZ, TIME WITH TIME ZONE/TIMETZ (a bare TIME is unknown, as in CrateDB),
 * DATE, IP (→ inet),
 * OBJECT [(STRICT|DYNAMIC|IGNORED)] [AS (…)] (→ jsonb), GEO_POINT (→ double precision[], `[lon, lat]`),
 * GEO_SHAPE (→ jsonb), NUMERIC/DECIMAL [(p[,s])], FLOAT_VECTOR(n) (→ real[]), BIT[(n)], INTERVAL, UUID, JSON,
 * ARRAY(t) and t[] (→ PostgreSQL arrays; ARRAY(OBJECT) → jsonb[]).
 *
 * @example
 * const tokens = tokenize('ARRAY(OBJECT(DYNAMIC))').filter(isSignificant)
 * parseCrateType(tokens, 0).type // { crate: 'object_array', pg: 'jsonb[]' }
 * @throws CrateTypeError for an unknown type name or unbalanced parentheses.
 */
export function parseCrateType(tokens: readonly SqlToken[], index: number): Parsed {
  const first = tokens[index]
  if (first === undefined) throw new CrateTypeError('missing type')
  const word = first.type === 'qident' ? first.text.slice(1, -1).toUpperCase() : keyword(first)
  if (first.type === 'qident' && word !== 'CHAR') return quotedType(tokens, index)
  let type: CrateType
  let i = index + 1
  switch (word) {
    case 'ARRAY': {
      if (!isPunct(tokens[i], '(')) throw new CrateTypeError('ARRAY needs an element type: ARRAY(<type>)')
      const inner = parseCrateType(tokens, i + 1)
      if (!isPunct(tokens[inner.next], ')')) throw new CrateTypeError('ARRAY(<type>) is missing its closing parenthesis')
      type = arrayOf(inner.type)
      i = inner.next + 1
      break
    }
    case 'OBJECT': {
      if (isPunct(tokens[i], '(')) i = skipParens(tokens, i)
      if (keyword(tokens[i]) === 'AS' && isPunct(tokens[i + 1], '(')) i = skipParens(tokens, i + 1)
      type = { crate: 'object', pg: 'jsonb' }
      break
    }
    case 'DOUBLE': {
      if (keyword(tokens[i]) === 'PRECISION') i++
      type = { crate: 'double precision', pg: 'double precision' }
      break
    }
    case 'TIMESTAMP': {
      let precision = ''
      if (isPunct(tokens[i], '(')) {
        const p = parenArgs(tokens, i)
        precision = `(${p.args.join(',')})`
        i = p.next
      }
      let withZone = false
      if (keyword(tokens[i]) === 'WITH' && keyword(tokens[i + 1]) === 'TIME' && keyword(tokens[i + 2]) === 'ZONE') {
        withZone = true
        i += 3
      } else if (keyword(tokens[i]) === 'WITHOUT' && keyword(tokens[i + 1]) === 'TIME' && keyword(tokens[i + 2]) === 'ZONE') {
        i += 3
      }
      type = withZone
        ? { crate: 'timestamp with time zone', pg: `timestamp${precision} with time zone` }
        : { crate: 'timestamp without time zone', pg: `timestamp${precision} without time zone` }
      break
    }
    case 'TIME': {
      // CrateDB has only TIME WITH TIME ZONE (`timetz`); a bare TIME is an unknown type name there.
      if (keyword(tokens[i]) !== 'WITH' || keyword(tokens[i + 1]) !== 'TIME' || keyword(tokens[i + 2]) !== 'ZONE') {
        throw new CrateTypeError(`Cannot find data type: ${first.text}`)
      }
      i += 3
      type = { crate: 'time with time zone', pg: 'timetz' }
      break
    }
    case 'CHARACTER':
    case 'CHAR': {
      if (keyword(tokens[i]) === 'VARYING') {
        i++
        let pg = 'varchar'
        if (isPunct(tokens[i], '(')) {
          const p = parenArgs(tokens, i)
          pg = `varchar(${p.args.join(',')})`
          i = p.next
        }
        type = { crate: 'text', pg }
        break
      }
      let pg = 'char'
      if (isPunct(tokens[i], '(')) {
        const p = parenArgs(tokens, i)
        pg = `char(${p.args.join(',')})`
        i = p.next
      }
      // CrateDB's quoted "char" is the single-byte BYTE type.
      type = first.type === 'qident' ? { crate: 'byte', pg: 'smallint' } : { crate: 'character', pg }
      break
    }
    case 'VARCHAR':
    case 'NUMERIC':
    case 'DECIMAL':
    case 'BIT': {
      const base = word === 'BIT' ? { crate: 'bit', pg: 'bit' } : SIMPLE[word]!
      if (isPunct(tokens[i], '(')) {
        const p = parenArgs(tokens, i)
        type = { crate: base.crate, pg: `${base.pg}(${p.args.join(',')})` }
        i = p.next
      } else type = base
      break
    }
    case 'FLOAT_VECTOR': {
      if (isPunct(tokens[i], '(')) i = parenArgs(tokens, i).next
      type = { crate: 'float_vector', pg: 'real[]' }
      break
    }
    default: {
      const simple = SIMPLE[word]
      if (simple === undefined) throw new CrateTypeError(`Cannot find data type: ${first.text}`)
      type = simple
      if ((word === 'INTEGER' || word === 'BIGINT' || word === 'TEXT') && isPunct(tokens[i], '(')) i = skipParens(tokens, i)
    }
  }
  return arraySuffix(tokens, i, type)
}

/** `t[]`, `t[][]`: the type `type` ending before `tokens[i]` with its array brackets. */
function arraySuffix(tokens: readonly SqlToken[], i: number, type: CrateType): Parsed {
  while (isPunct(tokens[i], '[') && isPunct(tokens[i + 1], ']')) {
    type = arrayOf(type)
    i += 2
  }
  return { type, next: i }
}

/**
 * Names a quoted identifier may give as a type: in CrateDB's grammar a quoted identifier is a `baseDataType`
 * (`ident`), looked up lower-cased in `DataTypes.TYPES_BY_NAME_OR_ALIAS` (crate/crate
 * `libs/sql-parser/src/main/antlr/io/crate/sql/parser/antlr/SqlBaseParser.g4` `dataType`/`baseDataType`,
 * `server/src/main/java/io/crate/analyze/DataTypeAnalyzer.java`, `server/src/main/java/io/crate/types/DataTypes.java`).
 * So `"object"` (an untyped dynamic OBJECT), `"geo_point"` and `"double precision"` are types, while
 * `"array(text)"`, `"text[]"` and `"object(strict)"` are not (`ARRAY(…)`, `[]` and OBJECT's column policy are
 * grammar, not names).
 */
const QUOTED_TYPE_NAMES: ReadonlySet<string> = new Set([
  'byte', 'boolean', 'text', 'character', 'ip', 'double precision', 'real', 'smallint', 'integer', 'bigint', 'numeric',
  'time with time zone', 'timestamp with time zone', 'timestamp without time zone', 'object', 'geo_point', 'geo_shape',
  'regproc', 'regtype', 'regclass', 'oidvector', 'int2', 'int', 'int4', 'int8', 'name', 'long', 'short', 'float',
  'float4', 'float8', 'double', 'string', 'varchar', 'character varying', 'timetz', 'timestamptz', 'timestamp',
  'interval', 'date', 'bit', 'json', 'decimal', 'float_vector', 'uuid',
])

/** A type given as a quoted identifier at `tokens[index]`, then optional `(n, …)` parameters and `[]`. */
function quotedType(tokens: readonly SqlToken[], index: number): Parsed {
  const name = tokens[index]!.text.slice(1, -1).replaceAll('""', '"').toLowerCase()
  if (!QUOTED_TYPE_NAMES.has(name)) throw new CrateTypeError(`Cannot find data type: ${name}`)
  if (name === 'object') return arraySuffix(tokens, index + 1, { crate: 'object', pg: 'jsonb' })
  const words: SqlToken[] = (name === 'name' ? 'text' : name).split(' ').map((text) => ({ type: 'ident', text, start: tokens[index]!.start }))
  const parsed = parseCrateType([...words, ...tokens.slice(index + 1)], 0)
  return { type: parsed.type, next: index + 1 + parsed.next - words.length }
}
