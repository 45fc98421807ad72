import { BodyKey, MetadataKey, SqlInfoKey } from './iproto-constants.ts'
import type { ReplyBody } from './request-spec.ts'
import type { PreparedStatementInfo, SqlColumn, SqlResult } from './request-options.ts'

/**
 * Turns an EXECUTE reply body into a {@link SqlResult}
 * (https://www.tarantool.io/en/doc/latest/reference/internals/iproto/sql/).
 */
export function decodeSqlResult(body: ReplyBody): SqlResult {
  const info = body[BodyKey.SQL_INFO] as Record<number, unknown> | undefined
  const ids = info?.[SqlInfoKey.AUTOINCREMENT_IDS] as (number | bigint)[] | undefined
  const rows = (body[BodyKey.DATA] as unknown[][] | undefined) ?? []
  // A row-returning statement (its reply has METADATA and DATA, no SQL_INFO) counts the rows it returned, as
  // CrateDB's `rowcount` and JDBC/DB-API drivers do; DML and DDL report SQL_INFO.ROW_COUNT.
  const returnsRows = body[BodyKey.METADATA] !== undefined
  return {
    metadata: decodeMetadata(body[BodyKey.METADATA]),
    rows,
    rowCount: returnsRows ? rows.length : Number(info?.[SqlInfoKey.ROW_COUNT] ?? 0),
    autoincrementIds: ids ?? [],
  }
}

/**
 * Turns a PREPARE reply body into statement info
 * (https://www.tarantool.io/en/doc/latest/reference/internals/iproto/sql/).
 */
export function decodePrepareResult(body: ReplyBody): PreparedStatementInfo {
  const binds = (body[BodyKey.BIND_METADATA] as Record<number, unknown>[] | undefined) ?? []
  return {
    id: Number(body[BodyKey.STMT_ID]),
    bindCount: Number(body[BodyKey.BIND_COUNT] ?? binds.length),
    bindMetadata: binds.map((b) => ({ name: String(b[MetadataKey.NAME]), type: String(b[MetadataKey.TYPE]) })),
    metadata: decodeMetadata(body[BodyKey.METADATA]),
  }
}

function decodeMetadata(raw: unknown): SqlColumn[] {
  if (!Array.isArray(raw)) return []
  return raw.map((m: Record<number, unknown>) => {
    const col: SqlColumn = { name: String(m[MetadataKey.NAME]), type: String(m[MetadataKey.TYPE]) }
    if (m[MetadataKey.COLL] !== undefined) col.collation = String(m[MetadataKey.COLL])
    if (m[MetadataKey.IS_NULLABLE] !== undefined) col.isNullable = m[MetadataKey.IS_NULLABLE] === true
    if (m[MetadataKey.IS_AUTOINCREMENT] !== undefined) col.isAutoincrement = m[MetadataKey.IS_AUTOINCREMENT] === true
    if (m[MetadataKey.SPAN] !== undefined) col.span = m[MetadataKey.SPAN] as string | null
    return col
  })
}
