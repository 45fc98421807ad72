/** Child process of the BTrDB benchmark: a local BTrDB whose endpoint is printed on stdout; ends when stdin closes. */
import { startBTrDB } from '../../src/testing/btrdb/index.ts'

const server = await startBTrDB({ minorVersion: 34 })
process.stdout.write(`${JSON.stringify({ endpoint: server.endpoint })}\n`)
process.stdin.resume()
process.stdin.on('end', () => void server.stop().then(() => process.exit(0)))
