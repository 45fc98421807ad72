/**
 * Child process entry of `provisionCrateDB({ source: 'child' })`: reads {@link StartCrateDBOptions} as JSON on
 * stdin, starts the local server, prints `{"urls":[...]}` (or `{"error":"..."}`) as one line on stdout, and runs
 * until SIGTERM/SIGINT or until its parent goes away (the IPC channel closes), stopping the server cleanly.
 */
import { startCrateDB, type StartCrateDBOptions } from './start-cratedb.ts'

let input = ''
process.stdin.setEncoding('utf8')
for await (const chunk of process.stdin) input += chunk as string

try {
  const server = await startCrateDB((input.trim() === '' ? {} : JSON.parse(input)) as StartCrateDBOptions)
  let stopping = false
  const stop = (): void => {
    if (stopping) return
    stopping = true
    server.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    )
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
  process.on('disconnect', stop) // the parent is gone
  process.stdout.write(`${JSON.stringify({ urls: server.urls })}\n`)
} catch (err) {
  process.stdout.write(`${JSON.stringify({ error: err instanceof Error ? err.message : String(err) })}\n`)
  process.exit(1)
}
