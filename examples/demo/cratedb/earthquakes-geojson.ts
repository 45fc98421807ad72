/**
 * Reads `earthquakes.json` (a GeoJSON FeatureCollection from the USGS feed) into `earthquakes` rows.
 */
import { readFile } from 'node:fs/promises'
import type { EarthquakeProperties } from './schema.ts'

/** An `earthquakes` row in column order (`id, time, location, magnitude, depth, properties`): one bulk-args entry. */
export type EarthquakeRow = [id: string, time: number, location: [number, number], magnitude: number, depth: number, properties: EarthquakeProperties]

/** Column names in the order of {@link EarthquakeRow}. */
export const EARTHQUAKE_COLUMNS = ['id', 'time', 'location', 'magnitude', 'depth', 'properties'] as const

interface Feature {
  id?: unknown
  geometry?: { type?: unknown; coordinates?: unknown } | null
  properties?: Record<string, unknown> | null
}

/**
 * Turns a parsed FeatureCollection into rows: `time` is `properties.time` (epoch ms), `location` the first two
 * coordinates `[longitude, latitude]`, `depth` the third (km), `magnitude` `properties.mag`, and `properties` the
 * feature's properties unchanged.
 * @throws Error naming the feature when it is not a Point with three coordinates, or has no id, time or magnitude.
 * @example
 * parseEarthquakes(JSON.parse(text))[0] // ['ci37868143', 1517966773840, [-118.667, 34.4945], 2, 26.49, { mag: 2, place: '4km W of Castaic, CA', … }]
 */
export function parseEarthquakes(collection: unknown): EarthquakeRow[] {
  const features = (collection as { type?: unknown; features?: unknown } | null)?.features
  if ((collection as { type?: unknown } | null)?.type !== 'FeatureCollection' || !Array.isArray(features)) {
    throw new Error('earthquakes.json is not a GeoJSON FeatureCollection')
  }
  return (features as Feature[]).map((feature, index) => {
    const what = `earthquakes.json feature ${index} (${JSON.stringify(feature?.id)})`
    const coordinates = feature?.geometry?.coordinates
    if (feature?.geometry?.type !== 'Point' || !Array.isArray(coordinates) || coordinates.length < 3 || !coordinates.every((c) => typeof c === 'number')) {
      throw new Error(`${what} is not a Point with [longitude, latitude, depth] coordinates`)
    }
    const properties = feature.properties
    if (typeof feature.id !== 'string' || properties == null || typeof properties['time'] !== 'number' || typeof properties['mag'] !== 'number') {
      throw new Error(`${what} has no string id, numeric properties.time or numeric properties.mag`)
    }
    const [longitude, latitude, depth] = coordinates as number[]
    return [feature.id, properties['time'], [longitude!, latitude!], properties['mag'], depth!, properties as unknown as EarthquakeProperties]
  })
}

/**
 * Reads and parses the file.
 * @throws the errors of {@link parseEarthquakes}, `SyntaxError` for invalid JSON, file system errors, `signal.reason`.
 * @example
 * const rows = await readEarthquakes(EARTHQUAKES_JSON) // 1,707 rows
 */
export async function readEarthquakes(path: string, signal?: AbortSignal): Promise<EarthquakeRow[]> {
  return parseEarthquakes(JSON.parse(await readFile(path, { encoding: 'utf8', ...(signal === undefined ? {} : { signal }) })))
}
