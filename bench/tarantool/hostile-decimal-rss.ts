// Usage: node bench/tarantool/hostile-decimal-rss.ts <repo root, e.g. .>   (issue 7: a 128-byte reply of 12 DECIMALs with scale 4e8; before the fix it ran out of heap)
import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { once } from 'node:events'
const root = process.argv[2]!
if (process.argv[3] === 'server') {
  process.stdin.on('close', () => process.exit(0)).resume() // exit with the client, even when it crashes
  const { validGreeting } = await import(`${root}/src/testing/tarantool/fake-iproto-server.ts`)
  const value = Buffer.from('c706 01 ce17d78400 1c'.replace(/ /g, ''), 'hex')
  const server = createServer((socket) => {
    socket.on('error', () => {})
    socket.write(validGreeting())
    socket.once('data', (req: Buffer) => {
      const sync = req[9]! // header {0: type, 1: sync} of the client's first request (sync 1, a fixint)
      const body = Buffer.concat([Buffer.from('8130919c', 'hex'), ...Array(12).fill(value)])
      const header = Buffer.from([0x83, 0x00, 0x00, 0x01, sync, 0x05, 0x01])
      const prefix = Buffer.alloc(5); prefix[0] = 0xce; prefix.writeUInt32BE(header.length + body.length, 1)
      const reply = Buffer.concat([prefix, header, body])
      socket.write(reply)
    })
  })
  server.listen(0, '127.0.0.1', () => console.log((server.address() as any).port))
} else {
  const child = spawn(process.execPath, [process.argv[1]!, root, 'server'], { stdio: ['pipe', 'pipe', 'inherit'] })
  const [data] = await once(child.stdout!, 'data')
  const { connect } = await import(`${root}/src/tarantool/index.ts`)
  const conn = await connect(`127.0.0.1:${Number(String(data).trim())}`, { reconnect: false })
  process.on('exit', () => child.kill())
  const base = process.memoryUsage().rss
  let peak = base
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss) }, 20)
  const t0 = Date.now()
  const outcome = await conn.call('f', [], { timeout: 60_000 }).then(() => 'resolved', (e: Error) => `${e.constructor.name}: ${e.message.slice(0, 100)}`)
  peak = Math.max(peak, process.memoryUsage().rss)
  clearInterval(timer)
  console.log(`outcome after ${Date.now() - t0} ms: ${outcome}`)
  console.log(`client RSS before ${(base / 2 ** 20).toFixed(1)} MiB, peak ${(peak / 2 ** 20).toFixed(1)} MiB, growth +${((peak - base) / 2 ** 20).toFixed(1)} MiB`)
  await conn.close(); child.kill()
}
