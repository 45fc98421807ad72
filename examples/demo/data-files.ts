/**
 * Where the `vega-datasets` package keeps the two files the demo loads.
 */
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

// The package exports only its entry point (build/index.js), not package.json, so go up from there.
const packageRoot = dirname(dirname(createRequire(import.meta.url).resolve('vega-datasets')))

/** `data/flights-3m.parquet`: 3,000,000 US flights (Jan-Jun 2001), ZSTD-compressed, 11 row groups. */
export const FLIGHTS_PARQUET: string = join(packageRoot, 'data', 'flights-3m.parquet')

/** `data/airports.csv`: 3,376 airports (iata, name, city, state, country, latitude, longitude). */
export const AIRPORTS_CSV: string = join(packageRoot, 'data', 'airports.csv')

/**
 * `data/earthquakes.json`: a GeoJSON FeatureCollection of the 1,707 earthquakes the USGS feed listed in the week to
 * 2018-02-07 (`id`, `geometry.coordinates` = [longitude, latitude, depth km], `properties` = the USGS fields).
 */
export const EARTHQUAKES_JSON: string = join(packageRoot, 'data', 'earthquakes.json')
