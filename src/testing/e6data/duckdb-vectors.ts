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

/** Converts the values of several DuckDB chunks (one column) into one vector spec. */
export function vectorFromChunks(plan: ColumnPlan, chunks: readonly DuckDBDataChunk[], column: number): VectorSpec {
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
