import { DruidInvalidArgumentError } from './errors.ts'

/**
 * SQL types a `?` parameter can be bound as (Avatica `SqlType` names, as Druid reads them in apache/druid
 * `sql/src/main/java/org/apache/druid/sql/http/SqlParameter.java`;
 * https://druid.apache.org/docs/latest/querying/sql#dynamic-parameters).
 */
export type DruidParameterType =
  | 'VARCHAR' | 'CHAR' | 'BIGINT' | 'INTEGER' | 'SMALLINT' | 'TINYINT' | 'DOUBLE' | 'FLOAT' | 'REAL' | 'DECIMAL'
  | 'BOOLEAN' | 'TIMESTAMP' | 'DATE' | 'ARRAY'

/** A parameter with an explicit SQL type, made by {@link typedParameter}. */
export class DruidParameter {
  readonly type: DruidParameterType
  readonly value: unknown

  constructor(type: DruidParameterType, value: unknown) {
    this.type = type
    this.value = value
  }
}

/**
 * Binds `value` as the given SQL type instead of the one inferred from its JS type (see {@link inferParameter}).
 *
 * @example
 * await client.query('SELECT * FROM t WHERE "day" = ?', [typedParameter('DATE', '2024-01-31')])
 */
export function typedParameter(type: DruidParameterType, value: unknown): DruidParameter {
  return new DruidParameter(type, value)
}

/** A parameter as Druid's JSON body takes it: `{type, value}`. */
export interface WireParameter {
  type: DruidParameterType
  value: unknown
}

/**
 * The SQL type of a JS value bound to `?`:
 *
 * | JS value | Druid parameter |
 * | --- | --- |
 * | string | VARCHAR |
 * | number, safe integer | BIGINT |
 * | number, other | DOUBLE |
 * | bigint | BIGINT, sent as an unquoted JSON number (exact; Druid rejects a quoted BIGINT) |
 * | boolean | BOOLEAN |
 * | Date | TIMESTAMP, sent as epoch milliseconds |
 * | array | ARRAY (Druid 30+: `ARRAY_CONTAINS(col, ?)`, `SCALAR_IN_ARRAY(col, ?)`) |
 * | {@link DruidParameter} | its own type |
 *
 * @throws DruidInvalidArgumentError for `null`/`undefined` (Druid cannot type a null parameter; write `NULL` in the
 *   SQL) and for other values (objects, functions, symbols), and for an invalid Date.
 */
export function inferParameter(value: unknown, index: number): WireParameter {
  if (value instanceof DruidParameter) return { type: value.type, value: value.value instanceof Date ? dateMillis(value.value, index) : value.value }
  switch (typeof value) {
    case 'string':
      return { type: 'VARCHAR', value }
    case 'number':
      return { type: Number.isSafeInteger(value) ? 'BIGINT' : 'DOUBLE', value }
    case 'bigint':
      return { type: 'BIGINT', value }
    case 'boolean':
      return { type: 'BOOLEAN', value }
  }
  if (value instanceof Date) return { type: 'TIMESTAMP', value: dateMillis(value, index) }
  if (Array.isArray(value)) return { type: 'ARRAY', value }
  if (value === null || value === undefined) {
    throw new DruidInvalidArgumentError(`Parameter ${index + 1} is ${String(value)}: Druid cannot bind a null parameter; write NULL in the SQL text instead`, { code: 'INVALID_PARAMETER' })
  }
  throw new DruidInvalidArgumentError(`Parameter ${index + 1} has an unsupported type (${Object.prototype.toString.call(value)}); pass a string, number, bigint, boolean, Date, array or typedParameter()`, { code: 'INVALID_PARAMETER' })
}

function dateMillis(d: Date, index: number): number {
  const t = d.getTime()
  if (Number.isNaN(t)) throw new DruidInvalidArgumentError(`Parameter ${index + 1} is an invalid Date`, { code: 'INVALID_PARAMETER' })
  return t
}

/**
 * JSON text of a value where bigints are written as unquoted JSON numbers (`JSON.stringify` throws on them), also
 * inside arrays and objects.
 */
export function jsonText(value: unknown): string {
  if (typeof value === 'bigint') return value.toString()
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : jsonText(v))).join(',')}]`
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const parts: string[] = []
    for (const [k, v] of Object.entries(value)) if (v !== undefined) parts.push(`${JSON.stringify(k)}:${jsonText(v)}`)
    return `{${parts.join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}
