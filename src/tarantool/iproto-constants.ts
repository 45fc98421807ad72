/**
 * IPROTO constants: request types, header and body keys, iterators, error codes.
 * Values are wire facts from tarantool/tarantool `src/box/iproto_constants.h`, `src/box/iproto_features.h` and
 * `src/box/errcode.h`.
 */

/** REQUEST_TYPE values (https://www.tarantool.io/en/doc/latest/reference/internals/iproto/requests/). */
export const RequestType = {
  OK: 0x00,
  SELECT: 0x01,
  INSERT: 0x02,
  REPLACE: 0x03,
  UPDATE: 0x04,
  DELETE: 0x05,
  CALL_16: 0x06,
  AUTH: 0x07,
  EVAL: 0x08,
  UPSERT: 0x09,
  CALL: 0x0a,
  EXECUTE: 0x0b,
  PREPARE: 0x0d,
  BEGIN: 0x0e,
  COMMIT: 0x0f,
  ROLLBACK: 0x10,
  PING: 0x40,
  ID: 0x49,
  WATCH: 0x4a,
  UNWATCH: 0x4b,
  EVENT: 0x4c,
  CHUNK: 0x80,
  TYPE_ERROR: 0x8000,
} as const

/** Header keys (https://www.tarantool.io/en/doc/latest/reference/internals/iproto/keys/). */
export const HeaderKey = {
  REQUEST_TYPE: 0x00,
  SYNC: 0x01,
  SCHEMA_VERSION: 0x05,
  STREAM_ID: 0x0a,
} as const

/** Body keys (https://www.tarantool.io/en/doc/latest/reference/internals/iproto/keys/). */
export const BodyKey = {
  SPACE_ID: 0x10,
  INDEX_ID: 0x11,
  LIMIT: 0x12,
  OFFSET: 0x13,
  ITERATOR: 0x14,
  INDEX_BASE: 0x15,
  KEY: 0x20,
  TUPLE: 0x21,
  FUNCTION_NAME: 0x22,
  USER_NAME: 0x23,
  EXPR: 0x27,
  OPS: 0x28,
  OPTIONS: 0x2b,
  DATA: 0x30,
  ERROR_24: 0x31,
  METADATA: 0x32,
  BIND_METADATA: 0x33,
  BIND_COUNT: 0x34,
  SQL_TEXT: 0x40,
  SQL_BIND: 0x41,
  SQL_INFO: 0x42,
  STMT_ID: 0x43,
  ERROR: 0x52,
  VERSION: 0x54,
  FEATURES: 0x55,
  TIMEOUT: 0x56,
  TXN_ISOLATION: 0x59,
  AUTH_TYPE: 0x5b,
} as const

/** Keys of SQL column metadata maps (https://www.tarantool.io/en/doc/latest/reference/internals/iproto/sql/). */
export const MetadataKey = { NAME: 0x00, TYPE: 0x01, COLL: 0x02, IS_NULLABLE: 0x03, IS_AUTOINCREMENT: 0x04, SPAN: 0x05 } as const
/** Keys of the SQL_INFO map (https://www.tarantool.io/en/doc/latest/reference/internals/iproto/sql/). */
export const SqlInfoKey = { ROW_COUNT: 0x00, AUTOINCREMENT_IDS: 0x01 } as const

/** IPROTO_ID feature ids (tarantool/tarantool `src/box/iproto_features.h`). */
export const Feature = {
  STREAMS: 0,
  TRANSACTIONS: 1,
  ERROR_EXTENSION: 2,
  WATCHERS: 3,
  PAGINATION: 4,
  SPACE_AND_INDEX_NAMES: 5,
  WATCH_ONCE: 6,
} as const

/** Protocol version and features this client announces in IPROTO_ID. */
export const CLIENT_PROTOCOL_VERSION = 3
export const CLIENT_FEATURES: readonly number[] = [Feature.STREAMS, Feature.TRANSACTIONS, Feature.ERROR_EXTENSION, Feature.WATCHERS]

/** Select iterators (tarantool/tarantool `src/box/iterator_type.h`). Names follow `box.index.*` in lower case. */
export const Iterator = {
  eq: 0,
  req: 1,
  all: 2,
  lt: 3,
  le: 4,
  ge: 5,
  gt: 6,
  bitsAllSet: 7,
  bitsAnySet: 8,
  bitsAllNotSet: 9,
  overlaps: 10,
  neighbor: 11,
} as const

/** One of the iterator names of {@link Iterator}. */
export type IteratorName = keyof typeof Iterator

/**
 * Transaction isolation levels for streams (BEGIN TXN_ISOLATION,
 * https://www.tarantool.io/en/doc/latest/reference/internals/iproto/streams/).
 */
export const TxnIsolation = { default: 0, readCommitted: 1, readConfirmed: 2, bestEffort: 3 } as const
export type TxnIsolationName = keyof typeof TxnIsolation

/**
 * Server error codes the driver reacts to (tarantool/tarantool `src/box/errcode.h`). The full name table is in
 * `iproto-error-codes.ts`.
 */
export const ErrorCode = {
  UNKNOWN: 0,
  TUPLE_FOUND: 3,
  NONMASTER: 6,
  READONLY: 7,
  NO_SUCH_SPACE: 36,
  NO_SUCH_INDEX_ID: 35,
  ACCESS_DENIED: 42,
  NO_SUCH_USER: 45,
  PASSWORD_MISMATCH: 47,
  UNKNOWN_REQUEST_TYPE: 48,
  TRANSACTION_CONFLICT: 97,
  WRONG_SCHEMA_VERSION: 109,
  LOADING: 116,
  NO_SUCH_INDEX_NAME: 148,
  SQL_EXECUTE: 159,
  WRONG_QUERY_ID: 211,
} as const

/**
 * Size of the server greeting in bytes
 * (https://www.tarantool.io/en/doc/latest/reference/internals/iproto/authentication/).
 */
export const GREETING_SIZE = 128
/**
 * `LIMIT` meaning "no limit" in SELECT (u32 max,
 * https://www.tarantool.io/en/doc/latest/reference/internals/iproto/requests/).
 */
export const NO_LIMIT = 0xffffffff
