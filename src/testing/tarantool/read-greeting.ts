import { connect } from 'node:net'
import { TarantoolProvisionError } from './provision-error.ts'

const GREETING_SIZE = 128

/**
 * Connects to a TCP or unix endpoint and reads the 128-byte greeting
 * (https://www.tarantool.io/en/doc/latest/reference/internals/iproto/authentication/), then closes the connection.
 *
 * @param endpoint `{ host, port }` or `{ path }` (unix socket).
 * @param timeout milliseconds for connect plus read; default 2000.
 * @returns the greeting bytes (exactly 128).
 * @example
 * const greeting = await readGreeting({ host: '127.0.0.1', port: 3301 })
 * console.log(greeting.toString('latin1', 0, 63).trimEnd()) // Tarantool 2.6.0 (Binary) 7dfb9be8-…
 * @throws TarantoolProvisionError code `GREETING_FAILED` on connect errors, early close or timeout (no data for
 *   `timeout` ms).
 */
export function readGreeting(endpoint: { host: string; port: number } | { path: string }, timeout = 2000): Promise<Buffer> {
  return new Promise((resolvePromise, reject) => {
    const where = 'path' in endpoint ? `unix/:${endpoint.path}` : `${endpoint.host}:${endpoint.port}`
    const socket = 'path' in endpoint ? connect({ path: endpoint.path }) : connect({ host: endpoint.host, port: endpoint.port })
    const chunks: Buffer[] = []
    let size = 0
    const fail = (why: string, cause?: unknown): void => {
      socket.destroy()
      reject(new TarantoolProvisionError(`No Tarantool greeting from ${where}: ${why}`, { code: 'GREETING_FAILED', retryable: true, cause }))
    }
    socket.setTimeout(timeout, () => fail(`nothing for ${timeout} ms`))
    socket.on('error', (error) => fail(error.message, error))
    socket.on('close', () => fail(`connection closed after ${size} bytes`))
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk)
      size += chunk.length
      if (size < GREETING_SIZE) return
      socket.removeAllListeners('close')
      socket.destroy()
      resolvePromise(Buffer.concat(chunks).subarray(0, GREETING_SIZE))
    })
  })
}
