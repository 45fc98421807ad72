/**
 * Child process of the BTrDB benchmark (and of bench/btrdb/btrdb-python-peer.py runs by hand): a local BTrDB whose
 * endpoint is printed on stdout; ends when stdin closes. argv[2], when given, is JSON of StartBTrDBOptions
 * (e.g. `{"grpcErrors":true,"apiKey":"k"}`); the default reports 5.34.
 */
import { startBTrDB, type StartBTrDBOptions } from '../../src/testing/btrdb/index.ts'

const extra = process.argv[2] !== undefined ? (JSON.parse(process.argv[2]) as StartBTrDBOptions) : {}
const server = await startBTrDB({ minorVersion: 34, ...extra })
process.stdout.write(`${JSON.stringify({ endpoint: server.endpoint })}\n`)
process.stdin.resume()
process.stdin.on('end', () => void server.stop().then(() => process.exit(0)))
