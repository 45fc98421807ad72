/**
 * Tarantool's MessagePack extension values
 * (https://www.tarantool.io/en/doc/latest/reference/internals/msgpack_extensions/) and the float64 wrapper. Importing
 * the classes does
 * not register anything with msgpackr; `../msgpack-codec.ts` does that when it is loaded.
 */
export { Decimal, DECIMAL_MAX_DIGITS } from './decimal.ts'
export { Uuid } from './uuid.ts'
export { Datetime, type DatetimeInit } from './datetime.ts'
export { Interval, type IntervalAdjust, type IntervalInit } from './interval.ts'
export { BoxErrorValue, parseErrorStack } from './error-ext.ts'
export { Double, double } from './double.ts'
