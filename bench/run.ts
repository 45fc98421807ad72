/**
 * `npm run bench -- <system> [options]`: side-by-side benchmarks of our drivers and their peers.
 * Each system's runner prints a markdown table and writes it to `bench/results/<system>.md`.
 */
interface BenchModule {
  main(args: string[]): Promise<void>
}

const systems: Record<string, { about: string; load: () => Promise<BenchModule> }> = {
  tarantool: {
    about: 'our IPROTO driver vs the tarantool-driver npm package and net.box (ping, select, SQL, insert)',
    load: () => import('./tarantool/runner.ts'),
  },
  cratedb: {
    about: 'our HTTP driver vs the node-crate npm package (small queries, a 100k-row result, bulk inserts), replayed and end to end',
    load: () => import('./cratedb/runner.ts'),
  },
  druid: {
    about: 'our streaming Druid SQL decode vs fetch + JSON.parse of the array and object formats (3M flights, replayed), and end to end on the local server',
    load: () => import('./druid/runner.ts'),
  },
  e6data: {
    about: 'our gRPC + Thrift fetch/decode of the 3M-row flights result vs the official Python connector (end to end on the local engine, and decode only)',
    load: () => import('./e6data/runner.ts'),
  },
  btrdb: {
    about: 'our gRPC driver vs a plain @grpc/grpc-js client of the same proto (insert, raw reads via protobuf and Arrow, aligned windows, client heap)',
    load: () => import('./btrdb/runner.ts'),
  },
}

function usage(): string {
  const width = Math.max(...Object.keys(systems).map((s) => s.length))
  const list = Object.entries(systems).map(([name, s]) => `  ${name.padEnd(width)}  ${s.about}`)
  return ['Usage: npm run bench -- <system> [options]   (options: npm run bench -- <system> --help)', '', 'Systems:', ...list].join('\n')
}

const [name, ...args] = process.argv.slice(2)
const system = name === undefined ? undefined : systems[name]
if (system === undefined) {
  if (name !== undefined && name !== '--help' && name !== '-h') console.error(`Unknown system ${JSON.stringify(name)}.\n`)
  console.error(usage())
  process.exitCode = name === '--help' || name === '-h' ? 0 : 2
} else {
  try {
    await (await system.load()).main(args)
  } catch (error) {
    if (error instanceof Error && error.name === 'UsageError') {
      console.error(error.message)
      process.exitCode = 2
    } else {
      console.error(error instanceof Error ? (error.stack ?? error.message) : error)
      process.exitCode = 1
    }
  }
}
