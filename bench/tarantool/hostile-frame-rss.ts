// Usage: node bench/tarantool/hostile-frame-rss.ts <repo root, e.g. .>   (issue 7: a 0x7fffffff length prefix, then 256 MiB of junk; reports client RSS growth)
import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { once } from 'node:events'
const root = process.argv[2]!
if (process.argv[3] === 'server') {
  process.stdin.on('close', () => process.exit(0)).resume() // exit with the client, even when it crashes
  const { validGreeting } = await import(`${root}/src/testing/tarantool/fake-iproto-server.ts`)
  const server = createServer((socket) => {
    socket.on('error', () => {})
    socket.write(validGreeting())
    socket.once('data', async () => {
      const p = Buffer.from([0xce, 0x7f, 0xff, 0xff, 0xff]); socket.write(p)
      const chunk = Buffer.alloc(64 * 1024, 0x41)
      const closed = once(socket, 'close').catch(() => {})
      for (let sent = 0; sent < 256 * 1024 * 1024 && !socket.destroyed; sent += chunk.length) {
        if (!socket.write(chunk)) await Promise.race([once(socket, 'drain'), closed])
      }
    })
  })
  server.listen(0, '127.0.0.1', () => console.log((server.address() as any).port))
} else {
  const child = spawn(process.execPath, [process.argv[1]!, root, 'server'], { stdio: ['pipe', 'pipe', 'inherit'] })
  const [data] = await once(child.stdout!, 'data')
  const port = Number(String(data).trim())
  const { connect } = await import(`${root}/src/tarantool/index.ts`)
  const conn = await connect(`127.0.0.1:${port}`, { reconnect: false })
  const base = process.memoryUsage().rss
  let peak = base
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss) }, 20)
  const t0 = Date.now()
  const outcome = await conn.ping({ timeout: 15_000 }).then(() => 'resolved', (e: Error) => `${e.constructor.name}: ${e.message.slice(0, 110)}`)
  const settle = Date.now() - t0
  peak = Math.max(peak, process.memoryUsage().rss)
  clearInterval(timer)
  console.log(`outcome after ${settle} ms: ${outcome}`)
  console.log(`client RSS before ${(base / 2 ** 20).toFixed(1)} MiB, peak ${(peak / 2 ** 20).toFixed(1)} MiB, growth +${((peak - base) / 2 ** 20).toFixed(1)} MiB`)
  await conn.close(); child.kill()
}
