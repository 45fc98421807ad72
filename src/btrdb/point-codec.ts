/**
 * Hand-written protobuf codecs for the messages that carry points, so that millions of points per second move
 * without an object per point: `RawValuesResponse`, `AlignedWindowsResponse`/`WindowsResponse` (same layout) and
 * `InsertParams`. Field numbers follow PingThingsIO/btrdb-python `btrdb/grpcinterface/btrdb.proto`
 * (RawPoint: time=1 sfixed64, value=2 double; StatPoint: time=1, min=2, mean=3, max=4, count=5 fixed64,
 * stddev=6). Both directions are here because the local server (`dialectry/testing/btrdb`) uses them too.
 */
export type { InsertRequest, RawPointBatch, StatPointBatch, StatPointValue, WireStatus } from './point-wire-types.ts'
export { decodeInsertParams, decodeRawValuesResponse, decodeStatPointsResponse } from './point-decoding.ts'
export { encodeInsertParams, encodeRawValuesParts, encodeRawValuesResponse, encodeStatPointsResponse } from './point-encoding.ts'
