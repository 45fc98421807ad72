/**
 * Typed shapes of Druid's native JSON queries (https://druid.apache.org/docs/latest/querying/querying and the
 * per-type pages `timeseriesquery`, `topnquery`, `groupbyquery`, `scan-query`, `timeboundaryquery`,
 * `segmentmetadataquery`). Filters, aggregators and post-aggregators list the common types; any other type can
 * be given through the open `{ type: string }` member.
 */

/** Query granularity. */
export type Granularity =
  | 'all' | 'none' | 'second' | 'minute' | 'fifteen_minute' | 'thirty_minute' | 'hour' | 'day' | 'week' | 'month' | 'quarter' | 'year'
  | { type: 'period'; period: string; timeZone?: string; origin?: string }
  | { type: 'duration'; duration: number; origin?: string }

/** A native filter. */
export type NativeFilter =
  | { type: 'selector'; dimension: string; value: string | number | null }
  | { type: 'equals'; column: string; matchValueType: string; matchValue: unknown }
  | { type: 'in'; dimension: string; values: (string | number | null)[] }
  | { type: 'bound'; dimension: string; lower?: string; upper?: string; lowerStrict?: boolean; upperStrict?: boolean; ordering?: string }
  | { type: 'range'; column: string; matchValueType: string; lower?: unknown; upper?: unknown; lowerOpen?: boolean; upperOpen?: boolean }
  | { type: 'like'; dimension: string; pattern: string; escape?: string }
  | { type: 'interval'; dimension: string; intervals: string[] }
  | { type: 'null'; column: string }
  | { type: 'and' | 'or'; fields: NativeFilter[] }
  | { type: 'not'; field: NativeFilter }
  | { type: 'true' | 'false' }

/** A native aggregator. */
export type Aggregation =
  | { type: 'count'; name: string }
  | { type: 'longSum' | 'doubleSum' | 'floatSum' | 'longMin' | 'longMax' | 'doubleMin' | 'doubleMax' | 'floatMin' | 'floatMax'; name: string; fieldName: string }
  | { type: 'cardinality'; name: string; fields: string[] }
  | { type: 'hyperUnique'; name: string; fieldName: string }
  | { type: 'filtered'; filter: NativeFilter; aggregator: Aggregation; name?: string }

/** A post-aggregator. */
export type PostAggregation =
  | { type: 'arithmetic'; name: string; fn: '+' | '-' | '*' | '/' | 'quotient' | 'pow'; fields: PostAggregation[] }
  | { type: 'fieldAccess' | 'finalizingFieldAccess'; name?: string; fieldName: string }
  | { type: 'constant'; name?: string; value: number }

/** Fields every native query has. */
export interface NativeQueryBase {
  dataSource: string | { type: 'table'; name: string }
  /** ISO-8601 `start/end` intervals. */
  intervals: string[]
  filter?: NativeFilter
  context?: Record<string, unknown>
}

export interface TimeseriesQuery extends NativeQueryBase {
  queryType: 'timeseries'
  granularity: Granularity
  aggregations?: Aggregation[]
  postAggregations?: PostAggregation[]
  descending?: boolean
  limit?: number
}
export interface TopNQuery extends NativeQueryBase {
  queryType: 'topN'
  granularity: Granularity
  dimension: string | { dimension: string; outputName?: string }
  threshold: number
  metric: string | { type: 'numeric'; metric: string } | { type: 'inverted'; metric: string | { type: 'numeric'; metric: string } } | { type: 'dimension'; ordering?: string }
  aggregations?: Aggregation[]
  postAggregations?: PostAggregation[]
}
export interface GroupByQuery extends NativeQueryBase {
  queryType: 'groupBy'
  granularity: Granularity
  dimensions: (string | { type?: 'default'; dimension: string; outputName?: string })[]
  aggregations?: Aggregation[]
  postAggregations?: PostAggregation[]
  limitSpec?: { type: 'default'; limit?: number; offset?: number; columns?: (string | { dimension: string; direction?: 'ascending' | 'descending' })[] }
}
export interface ScanQuery extends NativeQueryBase {
  queryType: 'scan'
  columns?: string[]
  resultFormat?: 'list' | 'compactedList'
  limit?: number
  offset?: number
  order?: 'none' | 'ascending' | 'descending'
}
export interface TimeBoundaryQuery extends Omit<NativeQueryBase, 'intervals'> {
  queryType: 'timeBoundary'
  intervals?: string[]
  bound?: 'minTime' | 'maxTime'
}
export interface SegmentMetadataQuery extends Omit<NativeQueryBase, 'intervals'> {
  queryType: 'segmentMetadata'
  intervals?: string[]
  merge?: boolean
  analysisTypes?: string[]
}

/** Any native query. */
export type NativeQuery = TimeseriesQuery | TopNQuery | GroupByQuery | ScanQuery | TimeBoundaryQuery | SegmentMetadataQuery

/** Results, by query type. */
export type TimeseriesResult = { timestamp: string; result: Record<string, unknown> }[]
export type TopNResult = { timestamp: string; result: Record<string, unknown>[] }[]
export type GroupByResult = { version: 'v1'; timestamp: string; event: Record<string, unknown> }[]
export type ScanResult = { segmentId: string; columns: string[]; events: Record<string, unknown>[] | unknown[][] }[]
export type TimeBoundaryResult = { timestamp: string; result: { minTime?: string; maxTime?: string } }[]
export type SegmentMetadataResult = {
  id: string
  intervals: string[] | null
  columns: Record<string, { type: string; typeSignature?: string; hasMultipleValues: boolean; hasNulls: boolean; size: number; cardinality: number | null; minValue: unknown; maxValue: unknown; errorMessage: string | null }>
  size: number
  numRows: number
}[]

/** The result type of a query type. */
export type NativeResult<Q extends NativeQuery> = Q extends TimeseriesQuery
  ? TimeseriesResult
  : Q extends TopNQuery
    ? TopNResult
    : Q extends GroupByQuery
      ? GroupByResult
      : Q extends ScanQuery
        ? ScanResult
        : Q extends TimeBoundaryQuery
          ? TimeBoundaryResult
          : SegmentMetadataResult
