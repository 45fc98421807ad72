/**
 * Shared pieces of the Tarantool benchmark: the operations, the data set, the config handed to each client
 * process and the report it prints back.
 */
import { parseJsonReport, type ClientProcessReport } from '../shared/client-process.ts'

/** The measured operations, in the order they run inside one client process. */
export const OPS = ['ping', 'select', 'sql', 'insert'] as const
export type OpName = (typeof OPS)[number]

/** Names of the compared clients, in the order they run inside one round. */
export const CLIENTS = ['ours', 'tarantool-driver', 'net.box'] as const
export type ClientName = (typeof CLIENTS)[number]

export const OP_LABELS: Record<OpName, string> = {
  ping: 'ping',
  select: 'select by PK',
  sql: 'SQL select 1 row',
  insert: 'insert',
}

/** Pre-filled space read by `select` and `sql`. */
export const SPACE = 'bench'
/** Space written by `insert`; truncated before every client process so each one starts empty. */
export const INSERT_SPACE = 'bench_insert'
export const SELECT_SQL = `SELECT "id", "name", "value" FROM "${SPACE}" WHERE "id" = ?`

/** The tuple stored under `id` in both spaces: [id, string, number]. */
export function benchTuple(id: number): [number, string, number] {
  return [id, `name-${id}`, id + 0.5]
}

/**
 * Idempotent Lua that creates both spaces (SQL-visible formats) and fills `bench` with `rows` tuples. Used as
 * `initLua` of a local server, or sent through `eval` to a `TARANTOOL_URL` server.
 */
export function setupLua(rows: number): string {
  return `
local format = {{name = 'id', type = 'unsigned'}, {name = 'name', type = 'string'}, {name = 'value', type = 'number'}}
for _, name in ipairs({'${SPACE}', '${INSERT_SPACE}'}) do
  local space = box.schema.space.create(name, {if_not_exists = true, format = format})
  space:create_index('pk', {if_not_exists = true, parts = {{1, 'unsigned'}}})
end
local space = box.space.${SPACE}
local last = space:get(${rows})
if space:len() ~= ${rows} or last == nil or last[2] ~= 'name-${rows}' then
  space:truncate()
  box.begin()
  for i = 1, ${rows} do space:replace({i, 'name-' .. i, i + 0.5}) end
  box.commit()
end
box.space.${INSERT_SPACE}:truncate()
`
}

/** Everything a client process needs; passed as JSON in the `BENCH_CONFIG` environment variable. */
export interface ClientConfig {
  /** `tarantool://user:password@host:port`, for our driver. */
  uri: string
  host: string
  port: number
  user: string
  password: string
  ops: OpName[]
  /** Requests kept in flight on the one connection. */
  concurrency: number
  warmupMs: number
  durationMs: number
  /** Tuples in `bench`; select keys cycle through 1..rows. */
  rows: number
  /** Pass spaces to our driver by numeric id instead of by name (profiling the name-resolution cost). */
  spacesById?: boolean
  /** Our driver's `maxInFlight` (requests beyond it wait in the connection's queue); default: none. */
  maxInFlight?: number
  /** pid of a local server, to sample its CPU time (all threads, and the TX thread) around each window. */
  serverPid?: number
}

/** One measured operation of one client. */
export interface OpResult {
  op: OpName
  /** Requests completed inside the measured window. */
  requests: number
  seconds: number
  rps: number
  /** Client process CPU time (all threads) per request, in microseconds. */
  cpuUsPerRequest: number
  /** Resident set size after connect and warm-up, before the measured window (MiB). */
  rssBeforeMiB: number
  /** Highest resident set size sampled during warm-up and the measured window (MiB). */
  rssPeakMiB: number
  /** Highest V8 heap (used) / Lua heap sampled during warm-up and the measured window (MiB). */
  heapPeakMiB?: number
  /** Highest `external` (Buffers and other off-heap memory) sampled, Node clients only (MiB). */
  externalPeakMiB?: number
  /** Server CPU time during the window over its wall time, all threads (100 = one core); local server only. */
  serverCpuPct?: number
  /** The same for the server's TX thread (where requests execute); near 100 means the server is the limit. */
  serverTxPct?: number
  /** First error seen; the result is then not comparable. */
  error?: string
}

/** What a client process prints (one JSON line on stdout). */
export type ClientReport = ClientProcessReport<ClientName, OpResult>

export { MiB } from '../shared/memory-sampler.ts'
export { processCpuSeconds } from '../shared/process-cpu.ts'

/** Extracts the last JSON line from a child's stdout. */
export function parseReport(stdout: string, client: ClientName): ClientReport {
  return parseJsonReport<ClientReport>(stdout, client)
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`
  return String(error)
}
