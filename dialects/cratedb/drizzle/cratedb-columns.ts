import { customType, type ConvertCustomConfig, type PgCustomColumnBuilder } from 'drizzle-orm/pg-core'
import { CrateDBDialectError } from '../cratedb-dialect-errors.ts'
import { checkCrateDBType, TypeSyntaxError } from './cratedb-type-grammar.ts'

/**
 * OBJECT column policy (https://cratedb.com/docs/crate/reference/en/latest/general/ddl/column-policy.html): `strict`
 * rejects unknown keys, `dynamic` adds them as columns, `ignored` stores them unindexed.
 */
export type CrateDBObjectPolicy = 'strict' | 'dynamic' | 'ignored'

/** Options of {@link object}. */
export interface CrateDBObjectColumnConfig {
  /** Column policy; omitted → CrateDB's default (`dynamic`). */
  readonly policy?: CrateDBObjectPolicy
  /** Declared sub-columns with their CrateDB types, e.g. `{ mag: 'double precision', place: 'text' }`. */
  readonly columns?: Readonly<Record<string, string>>
}

/** A builder for a custom column whose values are `TData` on both sides. */
type Builder<TName extends string, TData> = PgCustomColumnBuilder<ConvertCustomConfig<TName, { data: TData; driverData: TData }>>

/**
 * `type` when it is exactly one CrateDB column type (see {@link checkCrateDBType}): the helpers put it into DDL.
 * @throws CrateDBDialectError (`INVALID_TYPE`) otherwise, before any SQL is built.
 */
function checkType(type: string): string {
  try {
    checkCrateDBType(type)
  } catch (err) {
    const why = err instanceof TypeSyntaxError ? `: ${err.message} at offset ${err.offset}` : ''
    throw new CrateDBDialectError(`Not a CrateDB type name: ${JSON.stringify(type)}${why}`, 'INVALID_TYPE', err)
  }
  return type
}

function objectSql(config: CrateDBObjectColumnConfig | undefined): string {
  let text = config?.policy === undefined ? 'object' : `object(${config.policy})`
  const entries = Object.entries(config?.columns ?? {})
  if (entries.length > 0) text += ` as (${entries.map(([name, type]) => `"${name.replace(/"/g, '""')}" ${checkType(type)}`).join(', ')})`
  return text
}

/**
 * An OBJECT column (https://cratedb.com/docs/crate/reference/en/latest/general/ddl/data-types.html#data-types-objects),
 * read and written as a plain JavaScript object (`TData`). CrateDB
 * OBJECT is what `json`/`jsonb` are elsewhere; values go to the driver as JSON objects, not strings.
 * `dataType()` (what drizzle-kit writes) is `object[(policy)] [as (…)]`.
 *
 * @example
 * import { pgTable, text } from 'drizzle-orm/pg-core'
 * import { object } from 'dialectry/cratedb/drizzle'
 * const quakes = pgTable('quakes', {
 *   id: text('id').primaryKey(),
 *   props: object<{ mag: number; place: string }>('props', { policy: 'dynamic', columns: { mag: 'double precision' } }),
 * })
 */
export function object<TData extends Record<string, unknown> = Record<string, unknown>>(config?: CrateDBObjectColumnConfig): Builder<'', TData>
export function object<TData extends Record<string, unknown> = Record<string, unknown>, TName extends string = string>(name: TName, config?: CrateDBObjectColumnConfig): Builder<TName, TData>
export function object(nameOrConfig?: string | CrateDBObjectColumnConfig, config?: CrateDBObjectColumnConfig): unknown {
  const builder = customType<{ data: Record<string, unknown>; driverData: Record<string, unknown>; config: CrateDBObjectColumnConfig }>({
    dataType: (c) => objectSql(c),
  })
  return typeof nameOrConfig === 'string' ? builder(nameOrConfig, config ?? {}) : builder(nameOrConfig ?? {})
}

/**
 * An ARRAY column of CrateDB type `array(inner)`
 * (https://cratedb.com/docs/crate/reference/en/latest/general/ddl/data-types.html#data-types-arrays), read and written
 * as a JavaScript array
 * that reaches the driver as a JSON array. pg-core's `text('t').array()` also works for scalar elements (it sends
 * PostgreSQL array text such as `'{a,b}'`, which CrateDB parses), but cannot declare CrateDB element types such
 * as `object` or `geo_point`. Query elements with `equalsAny(value, t.tags)`.
 *
 * @param inner the element type as CrateDB spells it: `'text'`, `'bigint'`, `'double precision'`, `'object'`,
 *   `'geo_point'`, `'array(text)'`, …
 * @example
 * const posts = pgTable('posts', { id: text('id').primaryKey(), tags: array<string>('tags', 'text') })
 */
export function array<TElement = unknown>(inner: string): Builder<'', TElement[]>
export function array<TElement = unknown, TName extends string = string>(name: TName, inner: string): Builder<TName, TElement[]>
export function array(nameOrInner: string, inner?: string): unknown {
  const elementType = checkType(inner ?? nameOrInner)
  const builder = customType<{ data: unknown[]; driverData: unknown[] }>({ dataType: () => `array(${elementType})` })
  return inner === undefined ? builder() : builder(nameOrInner)
}

/** A point as CrateDB returns it: `[longitude, latitude]` in degrees. */
export type GeoPoint = [lon: number, lat: number]

function toPoint(value: unknown): GeoPoint {
  if (Array.isArray(value) && value.length === 2) return [Number(value[0]), Number(value[1])]
  if (typeof value === 'string') {
    const m = /^\s*POINT\s*\(\s*(-?[0-9.eE+-]+)\s+(-?[0-9.eE+-]+)\s*\)\s*$/i.exec(value)
    if (m) return [Number(m[1]), Number(m[2])]
  }
  throw new CrateDBDialectError(`Not a geo_point value: ${JSON.stringify(value)}`, 'INVALID_GEO_POINT')
}

/**
 * A GEO_POINT column (https://cratedb.com/docs/crate/reference/en/latest/general/ddl/data-types.html#data-types-geo):
 * values are `[lon, lat]` both ways (WKT `POINT (lon lat)` text
 * read back is parsed too). Distances: sql<number>`distance(${t.location}, ${[lon, lat]})` (meters).
 *
 * @example
 * const quakes = pgTable('quakes', { id: text('id').primaryKey(), location: geoPoint('location').notNull() })
 * await db.insert(quakes).values({ id: 'q1', location: [9.74, 47.41] })
 */
export function geoPoint(): Builder<'', GeoPoint>
export function geoPoint<TName extends string>(name: TName): Builder<TName, GeoPoint>
export function geoPoint(name?: string): unknown {
  const builder = customType<{ data: GeoPoint; driverData: unknown }>({
    dataType: () => 'geo_point',
    toDriver: (value) => [value[0], value[1]],
    fromDriver: toPoint,
  })
  return name === undefined ? builder() : builder(name)
}

/** A GeoJSON geometry object (`{ type: 'Polygon', coordinates: [...] }`, …). */
export type GeoJSONGeometry = { type: string; coordinates?: unknown; geometries?: unknown[] } & Record<string, unknown>

/**
 * A GEO_SHAPE column (https://cratedb.com/docs/crate/reference/en/latest/general/ddl/data-types.html#data-types-geo):
 * values are GeoJSON geometry objects (CrateDB also accepts
 * WKT strings on write; it always returns GeoJSON).
 *
 * @example
 * const areas = pgTable('areas', { id: text('id').primaryKey(), shape: geoShape('shape') })
 */
export function geoShape(): Builder<'', GeoJSONGeometry>
export function geoShape<TName extends string>(name: TName): Builder<TName, GeoJSONGeometry>
export function geoShape(name?: string): unknown {
  const builder = customType<{ data: GeoJSONGeometry; driverData: GeoJSONGeometry }>({ dataType: () => 'geo_shape' })
  return name === undefined ? builder() : builder(name)
}

/**
 * An IP column (IPv4/IPv6 addresses as strings; CrateDB validates them and compares them as addresses,
 * e.g. `ip << '10.0.0.0/8'`).
 *
 * @example
 * const hits = pgTable('hits', { id: text('id').primaryKey(), client: ip('client') })
 */
export function ip(): Builder<'', string>
export function ip<TName extends string>(name: TName): Builder<TName, string>
export function ip(name?: string): unknown {
  const builder = customType<{ data: string; driverData: string }>({ dataType: () => 'ip' })
  return name === undefined ? builder() : builder(name)
}
