/**
 * Shared pieces of the CrateDB benchmark: the operations, the statements and data, the config handed to each
 * client process and the report it prints back.
 */
import { parseJsonReport, type ClientProcessReport } from '../shared/client-process.ts'
import { processCpuSeconds as sharedProcessCpuSeconds } from '../shared/process-cpu.ts'

/**
 * The measured operations. `replay` ops run against the replay server (canned responses recorded from the local
 * server, answered at once: the client's own cost); `local` ops run against the local CrateDB server itself
 * (PGlite underneath, one statement at a time: server-bound).
 */
export const OPS = ['small-1', 'small-16', 'rows-arrays', 'rows-objects', 'rows-bigint', 'bulk', 'local-small-1', 'local-small-16', 'local-bulk'] as const
export type OpName = (typeof OPS)[number]

/** Names of the compared clients, in the order they run inside one round. */
export const CLIENTS = ['ours', 'node-crate'] as const
export type ClientName = (typeof CLIENTS)[number]

/**
 * How an op is measured: `throughput` keeps `inFlight` requests going for a time window (requests/s);
 * `rows` fetches the big result again and again, one at a time (ms per request); `bulk` sends bulk requests one
 * at a time (rows/s).
 */
export interface OpSpec {
  label: string
  setup: 'replay' | 'local'
  kind: 'throughput' | 'rows' | 'bulk'
  inFlight: number
}

export const OP_SPECS: Record<OpName, OpSpec> = {
  'small-1': { label: 'small query, 1 in flight', setup: 'replay', kind: 'throughput', inFlight: 1 },
  'small-16': { label: 'small query, 16 in flight', setup: 'replay', kind: 'throughput', inFlight: 16 },
  'rows-arrays': { label: 'big result as arrays, timestamps as numbers', setup: 'replay', kind: 'rows', inFlight: 1 },
  'rows-objects': { label: 'big result as objects, timestamps as Dates', setup: 'replay', kind: 'rows', inFlight: 1 },
  'rows-bigint': { label: 'big result with 64-bit ids, as arrays', setup: 'replay', kind: 'rows', inFlight: 1 },
  bulk: { label: 'bulk insert', setup: 'replay', kind: 'bulk', inFlight: 1 },
  'local-small-1': { label: 'small query, 1 in flight', setup: 'local', kind: 'throughput', inFlight: 1 },
  'local-small-16': { label: 'small query, 16 in flight', setup: 'local', kind: 'throughput', inFlight: 16 },
  'local-bulk': { label: 'bulk insert', setup: 'local', kind: 'bulk', inFlight: 1 },
}

// ---------------------------------------------------------------------------------------------------------
// Schema, statements, data

const COLUMNS = 'id BIGINT PRIMARY KEY, name TEXT, score DOUBLE PRECISION, created TIMESTAMP WITH TIME ZONE, attrs OBJECT(DYNAMIC), location GEO_POINT, tags ARRAY(TEXT)'
const COLUMN_NAMES = 'id, name, score, created, attrs, location, tags'
export const ROWS_TABLE = 'bench_rows'
export const INSERT_TABLE = 'bench_insert'
export const CREATE_ROWS_TABLE = `CREATE TABLE ${ROWS_TABLE} (${COLUMNS})`
export const CREATE_INSERT_TABLE = `CREATE TABLE ${INSERT_TABLE} (${COLUMNS})`

/** Epoch ms of row 0's `created`; row g is g seconds later. */
export const CREATED_BASE = 1_700_000_000_000
/** Added to the ids of the 64-bit result: every id is above 2^53 and has 19 digits. */
export const BIG_ID_OFFSET = 9_000_000_000_000_000_000n

/** Fills the rows table in one statement (the local server runs it in a few seconds). */
export function fillRowsSql(rows: number): string {
  return (
    `INSERT INTO ${ROWS_TABLE} (${COLUMN_NAMES}) SELECT g, 'sensor-' || g, sqrt(g) * 10, ${CREATED_BASE} + g * 1000, ` +
    `{kind = 'sensor', level = g % 5, label = 'v' || g}, [9.7 + g / 100000.0, 47.4 - g / 100000.0], ['x', 'tag-' || (g % 7)] ` +
    `FROM generate_series(1, ${rows}) g`
  )
}

/** The small query: one row by primary key. */
export const SMALL_SQL = `SELECT id, name, score, created FROM ${ROWS_TABLE} WHERE id = ?`
/** The id whose row the small query's canned response holds (and every check asks for). */
export const SMALL_ID = 7
/** The big result: every row, seven columns of the common types. */
export const ROWS_SQL = `SELECT ${COLUMN_NAMES} FROM ${ROWS_TABLE} ORDER BY id`
/** The big result with ids above 2^53 (exact only with a lossless decoder). */
export const BIG_ROWS_SQL = `SELECT id + ${BIG_ID_OFFSET} AS id, name, score, created, attrs, location, tags FROM ${ROWS_TABLE} ORDER BY id`
export const INSERT_SQL = `INSERT INTO ${INSERT_TABLE} (${COLUMN_NAMES}) VALUES (?, ?, ?, ?, ?, ?, ?)`

/** One row of bulk arguments, as an application would pass it (timestamps as epoch ms: both clients send them alike). */
export function insertRow(id: number): unknown[] {
  return [id, `sensor-${id}`, Math.sqrt(id) * 10, CREATED_BASE + id * 1000, { kind: 'sensor', level: id % 5, label: `v${id}` }, [9.7 + id / 1e5, 47.4 - id / 1e5], ['x', `tag-${id % 7}`]]
}

/** `count` rows of bulk arguments with ids from `firstId`. */
export function insertRows(firstId: number, count: number): unknown[][] {
  const rows = new Array<unknown[]>(count)
  for (let i = 0; i < count; i++) rows[i] = insertRow(firstId + i)
  return rows
}

/**
 * A result body shaped like the local server's answer to {@link ROWS_SQL} (field order, jsonb object spacing,
 * shortest doubles), for in-process decoding measurements; `idOffset` > 0 gives {@link BIG_ROWS_SQL}'s ids.
 */
export function syntheticRowsBody(rows: number, idOffset = 0n): string {
  const parts: string[] = ['{"cols":["id","name","score","created","attrs","location","tags"],"col_types":[10,4,6,11,12,13,[100,4]],"rows":[']
  for (let g = 1; g <= rows; g++) {
    const id = idOffset === 0n ? String(g) : String(idOffset + BigInt(g))
    const lon = Number((9.7 + g / 100000).toFixed(5))
    const lat = Number((47.4 - g / 100000).toFixed(5))
    parts.push(
      `${g > 1 ? ',' : ''}[${id},"sensor-${g}",${Math.sqrt(g) * 10},${CREATED_BASE + g * 1000},` +
        `{"kind": "sensor", "label": "v${g}", "level": ${g % 5}},[${lon},${lat}],["x","tag-${g % 7}"]]`,
    )
  }
  parts.push(`],"rowcount":${rows},"duration":1234.567891}`)
  return parts.join('')
}

// ---------------------------------------------------------------------------------------------------------
// Client processes

/** Everything a client process needs; passed as JSON in the `BENCH_CONFIG` environment variable. */
export interface ClientConfig {
  /** Replay server or local server URL. */
  url: string
  ops: OpName[]
  warmupMs: number
  durationMs: number
  /** Least requests measured by `rows` and `bulk` ops, however long they take. */
  minRequests: number
  /** Rows in the big result (checked). */
  rows: number
  /** Rows per bulk request (`bulk`: replay, `local-bulk`: local server). */
  bulkRows: number
  localBulkRows: number
  /** First id this process inserts on the local server (each process gets its own range). */
  idBase: number
  /** pid of the server process, to sample its CPU time around each window. */
  serverPid?: number
}

/** One measured operation of one client. */
export interface OpResult {
  op: OpName
  /** Requests completed inside the measured window. */
  requests: number
  seconds: number
  /** Requests/s (`throughput`), median ms per request (`rows`), rows/s (`bulk`). */
  value: number
  /** Client process CPU time (all threads) per request, in microseconds. */
  cpuUsPerRequest: number
  /** Highest resident set size sampled during warm-up and the measured window (MiB). */
  rssPeakMiB: number
  /** Server CPU time over the window's wall time (100 = one core). */
  serverCpuPct?: number
  /** A digest of what the client returned (first and last row as JSON), to show both decode alike. */
  sample?: string
  /** First error seen; the result is then not comparable. */
  error?: string
}

/** What a client process prints (one JSON line on stdout). */
export type ClientReport = ClientProcessReport<ClientName, OpResult>

/** One Node.js client under test, connected and ready. */
export interface Peer {
  client: ClientName
  version: string
  /** The small query for `id`; the row as an object with `created` as a Date (both clients' object form). */
  small(id: number): Promise<Record<string, unknown>>
  /** The big result in the form the op compares. */
  rows(op: 'rows-arrays' | 'rows-objects' | 'rows-bigint'): Promise<unknown[]>
  /** One bulk insert; resolves with the number of rows reported written. */
  bulk(rows: unknown[][]): Promise<number>
  close(): Promise<void>
}

export { MiB } from '../shared/memory-sampler.ts'
export { median } from '../shared/stats.ts'

/** CPU seconds of a process, all threads (each thread's `schedstat`); 0 where /proc is missing. */
export function processCpuSeconds(pid: number): number {
  return sharedProcessCpuSeconds(pid).total
}

/** JSON for digests: bigint as `123n`, Dates as ISO strings (JSON.stringify's default). */
export function digest(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))
}

/** Extracts the last JSON line from a child's stdout. */
export function parseReport(stdout: string, client: ClientName): ClientReport {
  return parseJsonReport<ClientReport>(stdout, client)
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`
  if (error !== null && typeof error === 'object') return JSON.stringify(error)
  return String(error)
}
