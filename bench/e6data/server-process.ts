/**
 * The local e6data engine in its own process for the benchmark: registers vega-datasets `flights-3m.parquet` as
 * `hive.bench.flights` (and `airports.csv`), prints `{"port":N}` on stdout, and runs until killed.
 */
import { AIRPORTS_CSV, FLIGHTS_PARQUET } from '../../examples/demo/data-files.ts'
import { startE6data } from '../../src/testing/e6data/index.ts'

const engine = await startE6data({ batchRows: Number(process.env['BENCH_BATCH_ROWS'] ?? 8192) })
await engine.registerTable('hive', 'bench', 'flights', { parquet: FLIGHTS_PARQUET })
await engine.registerTable('hive', 'bench', 'airports', { csv: AIRPORTS_CSV })
console.log(JSON.stringify({ port: engine.port, username: engine.username, password: engine.password }))
process.on('SIGTERM', () => void engine.stop().then(() => process.exit(0)))
