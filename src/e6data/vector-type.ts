/**
 * `VectorType` of e6data result vectors, from e6data/e6data-python-connector `e6x_vector.thrift`
 * (values are the Thrift enum's numbers).
 */
export const VectorType = {
  BINARY: 0,
  BOOLEAN: 1,
  DOUBLE: 2,
  FLOAT: 3,
  INT96: 4,
  INTEGER: 5,
  LONG: 6,
  STRING: 7,
  DATE: 8,
  DATETIME: 9,
  TIMESTAMP: 10,
  STRUCT: 11,
  MAP: 12,
  ARRAY: 13,
  NULL: 14,
  TIMESTAMP_TZ: 15,
  DECIMAL128: 16,
} as const

/** One of the {@link VectorType} names, e.g. `'LONG'`. */
export type VectorTypeName = keyof typeof VectorType

/** Member ids of the Thrift `union Data` (`e6x_vector.thrift`). */
export const DataMember = {
  boolData: 1,
  int32Data: 2,
  int64Data: 3,
  dateData: 4,
  float32Data: 5,
  float64Data: 6,
  varcharData: 7,
  boolConstantData: 8,
  dateConstantData: 9,
  nullConstantData: 10,
  numericConstantData: 11,
  numericDecimalConstantData: 12,
  temporalIntervalConstantData: 13,
  timeConstantData: 14,
  varcharConstantData: 15,
  timeData: 16,
  decimal128Data: 17,
  numericDecimal128ConstantData: 18,
} as const
