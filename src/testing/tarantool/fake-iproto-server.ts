import { randomBytes, randomUUID } from 'node:crypto'
import { createServer, type AddressInfo, type Socket } from 'node:net'
import { InvalidArgumentError } from '../../tarantool/errors.ts'

/**
 * What the fake server does with each accepted connection. It runs after the greeting (if any) was written;
 * the socket is the raw connection: write garbage, a truncated frame then `end()`, a frame declaring a huge
 * length, or nothing at all. Whatever it leaves open is destroyed by `close()`.
 */
export type FakeIprotoBehaviour = (socket: Socket, connection: { index: number }) => void | Promise<void>

/** Options of {@link startFakeIprotoServer}. */
export interface FakeIprotoServerOptions {
  /**
   * Sent right after accept, before the behaviour runs: `true` (default) = {@link validGreeting}(`'2.6.0'`),
   * a Buffer/string = exactly these bytes (e.g. {@link luaConsoleGreeting}() or garbage),
   * `false` = nothing (a server that never greets).
   */
  greeting?: boolean | Buffer | string
  /** Host to bind; default `'127.0.0.1'`. */
  host?: string
  /** Port to bind; default 0 (a free port). Pass a closed fake's port to emulate a server coming back. */
  port?: number
}

/** A running fake IPROTO endpoint. */
export interface FakeIprotoServer {
  readonly host: string
  /** Kernel-chosen free port. */
  readonly port: number
  /** `tarantool://127.0.0.1:<port>` (guest, no credentials). */
  readonly uri: string
  /** Connections accepted so far. */
  readonly connections: number
  /** Everything each connection sent to the server, by connection index (0-based). */
  readonly received: Buffer[][]
  /** Destroys every open connection and closes the listener. Idempotent. */
  close(): Promise<void>
}

/**
 * Builds a well-formed 128-byte IPROTO greeting
 * (https://www.tarantool.io/en/doc/latest/reference/internals/iproto/authentication/): line 1 `Tarantool <version>
 * (Binary) <uuid>` padded
 * with spaces to 63 bytes plus `\n`; line 2 the base64 of 32 random bytes (44 characters) padded to 63 plus `\n`.
 *
 * @param version server version as it appears in the greeting; default `'2.6.0'`.
 * @returns a 128-byte Buffer.
 * @throws InvalidArgumentError (from `dialectry/tarantool`) when line 1 would exceed 63 bytes (a version longer than 20 characters).
 */
export function validGreeting(version = '2.6.0'): Buffer {
  const line1 = `Tarantool ${version} (Binary) ${randomUUID()}`
  if (Buffer.byteLength(line1) > 63) throw new InvalidArgumentError(`greeting line 1 is longer than 63 bytes: ${line1}`)
  const salt = randomBytes(32).toString('base64')
  return Buffer.from(`${line1.padEnd(63, ' ')}\n${salt.padEnd(63, ' ')}\n`, 'latin1')
}

/**
 * Builds the 128-byte greeting of Tarantool's text admin console (what a `tarantoolctl` control socket sends):
 * `Tarantool <version> (Lua console)` and `type 'help' for interactive help`, each padded to 63 bytes plus `\n`.
 * A client must reject it (tarantool/tarantool `src/box/xrow.c` `greeting_decode`).
 *
 * @param version default `'2.6.0'`.
 * @returns a 128-byte Buffer.
 */
export function luaConsoleGreeting(version = '2.6.0'): Buffer {
  const line1 = `Tarantool ${version} (Lua console)`.slice(0, 63)
  return Buffer.from(`${line1.padEnd(63, ' ')}\n${"type 'help' for interactive help".padEnd(63, ' ')}\n`, 'latin1')
}

/**
 * Starts a TCP server on a free loopback port that greets (or not) and then hands each connection to
 * `behaviour`, for protocol-fault tests of a client: garbage after the greeting, a truncated frame then close,
 * a huge declared frame length, a non-Tarantool greeting, or silence. It parses nothing.
 *
 * @example
 * const fake = await startFakeIprotoServer((socket) => {
 *   socket.write(Buffer.from([0xce, 0xff, 0xff, 0xff, 0xff])) // declares a 4 GiB frame
 * })
 * // connect a client to fake.port and expect a ProtocolError …
 * await fake.close()
 * @param behaviour called once per accepted connection; errors it throws destroy that connection.
 * @param options greeting and bind host.
 * @throws Error from `listen` (e.g. EADDRNOTAVAIL for a non-local host).
 */
export async function startFakeIprotoServer(behaviour: FakeIprotoBehaviour, options: FakeIprotoServerOptions = {}): Promise<FakeIprotoServer> {
  const sockets = new Set<Socket>()
  const received: Buffer[][] = []
  const greeting = options.greeting ?? true
  let connections = 0
  const server = createServer((socket) => {
    const index = connections++
    const chunks: Buffer[] = []
    received.push(chunks)
    sockets.add(socket)
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    socket.on('error', () => socket.destroy())
    socket.on('close', () => sockets.delete(socket))
    if (greeting === true) socket.write(validGreeting())
    else if (greeting !== false) socket.write(greeting)
    Promise.resolve()
      .then(() => behaviour(socket, { index }))
      .catch(() => socket.destroy())
  })
  const host = options.host ?? '127.0.0.1'
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  let closing: Promise<void> | undefined
  return {
    host,
    port,
    uri: `tarantool://${host.includes(':') ? `[${host}]` : host}:${port}`,
    get connections() {
      return connections
    },
    received,
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      })
      return closing
    },
  }
}
