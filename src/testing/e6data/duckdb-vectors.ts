import { DuckDBTypeId, type DuckDBDataChunk, type DuckDBType } from '@duckdb/node-api'
import { encodeDecimal128 } from '../../e6data/decimal128.ts'
import { VectorType } from '../../e6data/vector-type.ts'
import type { VectorSpec } from './chunk-encoder.ts'

/**
 * DuckDB result columns as e6data vectors: which `VectorType` and Thrift `Data` member a DuckDB type travels as,
 * the upper-case type name of the result metadata, the lower-case name of `getColumns`, and the conversion of a
 * DuckDB chunk's values. Complex types (LIST, MAP, STRUCT) travel as engine-rendered text, as the real engine's do.
 */
export interface ColumnPlan {
  vectorType: number
  /** Upper-case name for `resultMetaData` (`'LONG'`, `'DECIMAL128'`, ...). */
  typeCode: string
  member: 'bool' | 'int32' | 'int64' | 'float32' | 'float64' | 'varchar' | 'decimal128' | 'date' | 'time' | 'null'
  scale: number
  typeId: number
}

/** How a DuckDB column type is sent. */
export function planColumn(type: DuckDBType): ColumnPlan {
  const id = type.typeId
  const p = (vectorType: number, typeCode: string, member: ColumnPlan['member'], scale = 0): ColumnPlan => ({ vectorType, typeCode, member, scale, typeId: id })
  switch (id) {
    case DuckDBTypeId.BOOLEAN:
      return p(VectorType.BOOLEAN, 'BOOLEAN', 'bool')
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
      return p(VectorType.INTEGER, 'INTEGER', 'int32')
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.UBIGINT:
    // DuckDB's sum()/count-like aggregates over BIGINT give HUGEINT; the engine answers LONG for them.
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
      return p(VectorType.LONG, 'LONG', 'int64')
    case DuckDBTypeId.FLOAT:
      return p(VectorType.FLOAT, 'FLOAT', 'float32')
    case DuckDBTypeId.DOUBLE:
      return p(VectorType.DOUBLE, 'DOUBLE', 'float64')
    case DuckDBTypeId.DECIMAL:
      return p(VectorType.DECIMAL128, 'DECIMAL128', 'decimal128', (type as unknown as { scale: number }).scale)
    case DuckDBTypeId.DATE:
      return p(VectorType.DATE, 'DATE', 'date')
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
      return p(VectorType.DATETIME, 'DATETIME', 'time')
    case DuckDBTypeId.TIMESTAMP_TZ:
      return p(VectorType.TIMESTAMP_TZ, 'TIMESTAMP_TZ', 'time')
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
      return p(VectorType.ARRAY, 'ARRAY', 'varchar')
    case DuckDBTypeId.MAP:
      return p(VectorType.MAP, 'MAP', 'varchar')
    case DuckDBTypeId.STRUCT:
      return p(VectorType.STRUCT, 'STRUCT', 'varchar')
    case DuckDBTypeId.BLOB:
      return p(VectorType.BINARY, 'BINARY', 'varchar')
    case DuckDBTypeId.SQLNULL:
      return p(VectorType.NULL, 'NULL', 'null')
    default:
      return p(VectorType.STRING, 'STRING', 'varchar')
  }
}

/** The engine's lower-case column type name for `getColumns` (`int`, `long`, `decimal(7,2)`, `array<int>`, ...). */
export function engineTypeName(duckType: string): string {
  const t = duckType.trim().toUpperCase()
  const simple: Record<string, string> = {
    BOOLEAN: 'bool', TINYINT: 'tinyint', SMALLINT: 'short', INTEGER: 'int', BIGINT: 'long', HUGEINT: 'long',
    FLOAT: 'float', REAL: 'float', DOUBLE: 'double', VARCHAR: 'string', BLOB: 'binary', DATE: 'date', TIMESTAMP: 'timestamp',
    'TIMESTAMP WITH TIME ZONE': 'timestamp_tz', UUID: 'string', TIME: 'string', INTERVAL: 'string',
  }
  if (simple[t] !== undefined) return simple[t]!
  const dec = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(t)
  if (dec) return `decimal(${dec[1]},${dec[2]})`
  if (t.endsWith('[]')) return `array<${engineTypeName(duckType.trim().slice(0, -2))}>`
  if (t.startsWith('MAP(')) return 'map<string,string>'
  if (t.startsWith('STRUCT(')) return 'struct'
  return 'string'
}

const MICROS_PER_DAY = 86_400_000_000n

function toMicros(v: unknown, typeId: number): bigint {
  const o = v as { micros?: bigint; millis?: bigint; seconds?: bigint; nanos?: bigint; days?: number }
  if (typeId === DuckDBTypeId.DATE) return BigInt(o.days!) * MICROS_PER_DAY
  if (o.micros !== undefined) return o.micros
  if (o.millis !== undefined) return o.millis * 1000n
  if (o.seconds !== undefined) return o.seconds * 1_000_000n
  if (o.nanos !== undefined) return o.nanos / 1000n
  return 0n
}

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n

function int64Value(v: unknown): number | bigint {
  if (typeof v === 'bigint') {
    if (v < INT64_MIN || v > INT64_MAX) throw new Error(`value ${v} is out of the LONG range`)
    return v
  }
  return typeof v === 'number' ? v : 0
}

interface RawVectorAccess {
  items?: ArrayLike<number | bigint>
  validity?: { itemValid(i: number): boolean }
}

/** DuckDB types whose vectors hold a typed array the wire value is read from directly. */
const TYPED: Partial<Record<number, 'int32' | 'int64' | 'float' | 'micros' | 'days'>> = {
  [DuckDBTypeId.INTEGER]: 'int32',
  [DuckDBTypeId.SMALLINT]: 'int32',
  [DuckDBTypeId.TINYINT]: 'int32',
  [DuckDBTypeId.BIGINT]: 'int64',
  [DuckDBTypeId.DOUBLE]: 'float',
  [DuckDBTypeId.FLOAT]: 'float',
  [DuckDBTypeId.TIMESTAMP]: 'micros',
  [DuckDBTypeId.TIMESTAMP_TZ]: 'micros',
  [DuckDBTypeId.DATE]: 'days',
}

/** Fast path: reads typed arrays of DuckDB's vectors (no per-value objects); `undefined` when not applicable. */
function typedVector(plan: ColumnPlan, chunks: readonly DuckDBDataChunk[], column: number): VectorSpec | undefined {
  const kind = TYPED[plan.typeId]
  if (kind === undefined) return undefined
  let n = 0
  for (const c of chunks) n += c.rowCount
  const nulls = new Array<boolean>(n)
  let anyNull = false
  const out: (number | bigint)[] = new Array(n)
  let k = 0
  for (const c of chunks) {
    const v = c.getColumnVector(column) as unknown as RawVectorAccess
    const items = v.items
    const validity = v.validity
    if (items === undefined || validity === undefined) return undefined
    const m = c.rowCount
    for (let i = 0; i < m; i++, k++) {
      const valid = validity.itemValid(i)
      nulls[k] = !valid
      if (!valid) {
        anyNull = true
        out[k] = 0
        continue
      }
      const x = items[i]!
      out[k] = kind === 'days' ? BigInt(x as number) * MICROS_PER_DAY : x
    }
  }
  const type = plan.vectorType
  const nullsOrNone = anyNull ? nulls : undefined
  switch (kind) {
    case 'int32':
      return { type, member: 'int32', nulls: nullsOrNone, values: out as number[] }
    case 'float':
      return { type, member: plan.member === 'float32' ? 'float32' : 'float64', nulls: nullsOrNone, values: out as number[] }
    case 'int64':
      return { type, member: 'int64', nulls: nullsOrNone, values: out }
    case 'micros':
      return { type, member: 'time', nulls: nullsOrNone, values: out }
    case 'days':
      return { type, member: 'date', nulls: nullsOrNone, values: out }
  }
}

/** The `*ConstantData` kind a vector member travels as when constant. */
const CONSTANT_KIND = {
  bool: 'bool', int32: 'numeric', int64: 'numeric', date: 'date', time: 'time', float32: 'double', float64: 'double', varchar: 'varchar', decimal128: 'decimal128',
} as const

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/**
 * The vector as a constant vector (`isConstantVector`, one `*ConstantData` value, one `nullSet` flag) when its
 * `size` >= 2 cells are all NULL or all the same value: literals, the group key of a filtered aggregate, a column
 * of NULLs. DuckDB's C API hands results over flattened, so the engine finds them by comparing; the scan stops at
 * the first differing cell, which for ordinary columns is the second.
 */
export function asConstant(v: VectorSpec): VectorSpec | undefined {
  if (v.member === 'null' || v.member === 'constant') return undefined
  const values = v.values as ArrayLike<unknown>
  const n = values.length
  if (n < 2) return undefined
  const nulls = v.nulls
  const firstNull = nulls !== undefined && nulls[0] === true
  if (nulls !== undefined) for (let i = 1; i < n; i++) if (nulls[i] !== firstNull) return undefined
  if (!firstNull) {
    const first = values[0]
    if (first instanceof Uint8Array) {
      for (let i = 1; i < n; i++) if (!sameBytes(values[i] as Uint8Array, first)) return undefined
    } else {
      for (let i = 1; i < n; i++) if (values[i] !== first && !(Number.isNaN(values[i]) && Number.isNaN(first))) return undefined
    }
    if (v.member === 'time' && v.zones !== undefined) for (let i = 1; i < n; i++) if (v.zones[i] !== v.zones[0]) return undefined
  }
  const kind = CONSTANT_KIND[v.member]
  const value = values[0]
  const type = v.type
  switch (kind) {
    case 'bool':
      return { type, isNull: firstNull, member: 'constant', constant: { kind, value: value === true } }
    case 'numeric':
    case 'date':
      return { type, isNull: firstNull, member: 'constant', constant: { kind, value: value as number | bigint } }
    case 'time': {
      const zone = v.member === 'time' ? v.zones?.[0] : undefined
      return { type, isNull: firstNull, member: 'constant', constant: { kind, value: value as number | bigint, ...(zone !== undefined ? { zone } : {}) } }
    }
    case 'double':
      return { type, isNull: firstNull, member: 'constant', constant: { kind, value: value as number } }
    case 'varchar':
      return { type, isNull: firstNull, member: 'constant', constant: { kind, value: value as string } }
    case 'decimal128':
      return { type, isNull: firstNull, member: 'constant', constant: { kind, value: value as Uint8Array, scale: v.member === 'decimal128' ? v.scale : 0 } }
  }
}

/**
 * Converts the values of several DuckDB chunks (one column) into one vector spec; a column whose cells are all
 * equal (or all NULL) becomes a constant vector ({@link asConstant}).
 */
export function vectorFromChunks(plan: ColumnPlan, chunks: readonly DuckDBDataChunk[], column: number): VectorSpec {
  const v = flatVector(plan, chunks, column)
  return asConstant(v) ?? v
}

function flatVector(plan: ColumnPlan, chunks: readonly DuckDBDataChunk[], column: number): VectorSpec {
  const fast = typedVector(plan, chunks, column)
  if (fast !== undefined) return fast
  const values: unknown[] = []
  for (const c of chunks) {
    const col = c.getColumnValues(column)
    for (let i = 0; i < col.length; i++) values.push(col[i])
  }
  const n = values.length
  let anyNull = false
  const nulls = new Array<boolean>(n)
  for (let i = 0; i < n; i++) {
    const isNull = values[i] === null
    nulls[i] = isNull
    if (isNull) anyNull = true
  }
  const nullsOrNone = anyNull ? nulls : undefined
  const type = plan.vectorType
  switch (plan.member) {
    case 'bool':
      return { type, member: 'bool', nulls: nullsOrNone, values: values.map((v) => v === true) }
    case 'int32':
      return { type, member: 'int32', nulls: nullsOrNone, values: values.map((v) => (typeof v === 'number' ? v : 0)) }
    case 'int64':
      return { type, member: 'int64', nulls: nullsOrNone, values: values.map(int64Value) }
    case 'float32':
    case 'float64':
      return { type, member: plan.member, nulls: nullsOrNone, values: values.map((v) => (typeof v === 'number' ? v : 0)) }
    case 'decimal128':
      return {
        type,
        member: 'decimal128',
        scale: plan.scale,
        nulls: nullsOrNone,
        values: values.map((v) => encodeDecimal128(v === null ? 0n : typeof v === 'bigint' ? v : (v as { value: bigint }).value)),
      }
    case 'date':
      return { type, member: 'date', nulls: nullsOrNone, values: values.map((v) => (v === null ? 0 : toMicros(v, plan.typeId))) }
    case 'time':
      return { type, member: 'time', nulls: nullsOrNone, values: values.map((v) => (v === null ? 0 : toMicros(v, plan.typeId))) }
    case 'null':
      return { type, member: 'null' }
    case 'varchar':
      return { type, member: 'varchar', nulls: nullsOrNone, values: values.map((v) => (v === null ? '' : typeof v === 'string' ? v : String(v))) }
  }
}
