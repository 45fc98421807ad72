import { execFileSync, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { Packr, Unpackr } from 'msgpackr'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  findTarantoolBinary,
  luaConsoleGreeting,
  provisionTarantool,
  readGreeting,
  startFakeIprotoServer,
  startReplicaSet,
  startTarantool,
  validGreeting,
  type TarantoolProcess,
  type TarantoolReplicaSet,
} from '../../src/testing/tarantool/index.ts'

// A deliberately tiny IPROTO client (https://www.tarantool.io/en/doc/latest/reference/internals/box_protocol/),
// independent of the project's driver: greeting, chap-sha1 AUTH,
// EVAL. Enough to prove that users, grants, data and read_only are what the provisioning promises.
type Endpoint = { host: string; port: number } | { path: string }
interface Reply {
  code: number
  data: unknown[]
  error: string | undefined
}
const packr = new Packr({ useRecords: false, variableMapSize: true })
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true })
const MEMTX = 64 * 1024 * 1024

class RawIproto {
  greeting: Buffer = Buffer.alloc(0)
  readonly #socket: Socket
  #buffer = Buffer.alloc(0)
  #waiter: (() => void) | undefined
  #closed = false
  #sync = 0

  private constructor(socket: Socket) {
    this.#socket = socket
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk])
      this.#waiter?.()
    })
    socket.on('close', () => {
      this.#closed = true
      this.#waiter?.()
    })
  }

  static async open(endpoint: Endpoint, auth?: { user: string; password: string }): Promise<RawIproto> {
    const socket = 'path' in endpoint ? connect({ path: endpoint.path }) : connect({ host: endpoint.host, port: endpoint.port })
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve)
      socket.once('error', reject)
    })
    const client = new RawIproto(socket)
    client.greeting = await client.#take(128)
    if (auth !== undefined) {
      const salt = Buffer.from(client.greeting.toString('latin1', 64, 127).trim(), 'base64').subarray(0, 20)
      const step1 = createHash('sha1').update(auth.password).digest()
      const step2 = createHash('sha1').update(step1).digest()
      const step3 = createHash('sha1').update(salt).update(step2).digest()
      const scramble = Buffer.from(step1.map((b, i) => b ^ step3[i]!))
      const reply = await client.request(7, new Map<number, unknown>([[0x23, auth.user], [0x21, ['chap-sha1', scramble]]]))
      if (reply.code !== 0) {
        client.close()
        throw Object.assign(new Error(`auth failed: ${reply.error}`), { code: reply.code })
      }
    }
    return client
  }

  async request(type: number, body: Map<number, unknown>): Promise<Reply> {
    const payload = Buffer.concat([packr.pack(new Map([[0x00, type], [0x01, ++this.#sync]])), packr.pack(body)])
    const head = Buffer.alloc(5)
    head[0] = 0xce
    head.writeUInt32BE(payload.length, 1)
    this.#socket.write(Buffer.concat([head, payload]))
    const size = (await this.#take(5)).readUInt32BE(1)
    const [header, replyBody] = unpackr.unpackMultiple(await this.#take(size)) as [Record<string, number>, Record<string, unknown>]
    const code = header['0']! & 0x7fff
    return { code, data: (replyBody['48'] as unknown[] | undefined) ?? [], error: replyBody['49'] as string | undefined }
  }

  /** EVAL (type 8); throws when the server answers with an error. */
  async eval(expr: string, args: unknown[] = []): Promise<unknown[]> {
    const reply = await this.request(8, new Map<number, unknown>([[0x27, expr], [0x21, args]]))
    if (reply.code !== 0) throw Object.assign(new Error(reply.error ?? `error ${reply.code}`), { code: reply.code })
    return reply.data
  }

  close(): void {
    this.#socket.destroy()
  }

  async #take(n: number): Promise<Buffer> {
    while (this.#buffer.length < n) {
      if (this.#closed) throw new Error(`connection closed with ${this.#buffer.length}/${n} bytes`)
      await new Promise<void>((resolve) => {
        this.#waiter = resolve
      })
      this.#waiter = undefined
    }
    const out = this.#buffer.subarray(0, n)
    this.#buffer = this.#buffer.subarray(n)
    return out
  }
}

async function evalOnce(endpoint: Endpoint, expr: string, auth?: { user: string; password: string }): Promise<unknown[]> {
  const client = await RawIproto.open(endpoint, auth)
  try {
    return await client.eval(expr)
  } finally {
    client.close()
  }
}

/** `true` while the process exists and is not a zombie waiting for an adoptive init to reap it. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return true
  }
}

async function waitFor(condition: () => boolean | Promise<boolean>, timeout = 3000): Promise<boolean> {
  const deadline = Date.now() + timeout
  while (Date.now() < deadline) {
    if (await condition()) return true
    await sleep(25)
  }
  return condition()
}

const binaryVersion = /Tarantool (\d+\.\d+\.\d+)/.exec(execFileSync(findTarantoolBinary() ?? 'tarantool', ['--version'], { encoding: 'utf8' }))![1]!

describe('startTarantool', () => {
  let server: TarantoolProcess
  beforeAll(async () => {
    server = await startTarantool({ memtxMemory: MEMTX, initLua: 'function dialectry_answer() return 42 end' })
  })
  afterAll(async () => {
    await server?.stop()
  })

  it('greets with the installed version on TCP and on the unix socket, both the same instance', async () => {
    const tcp = (await readGreeting({ host: server.host, port: server.port })).toString('latin1')
    const unix = (await readGreeting({ path: server.socketPath! })).toString('latin1')
    const line = new RegExp(`^Tarantool ${binaryVersion.replaceAll('.', '\\.')} \\(Binary\\) ([0-9a-f-]{36}) *\\n`)
    expect(tcp).toMatch(line)
    expect(unix).toMatch(line)
    expect(line.exec(unix)![1]).toBe(line.exec(tcp)![1])
    expect(server.version.startsWith(binaryVersion)).toBe(true)
    expect(server.host).toBe('127.0.0.1')
    expect(server.uri).toBe(`tarantool://dialectry:${server.password}@127.0.0.1:${server.port}`)
    expect(server.socketUri).toBe(`tarantool://dialectry:${server.password}@unix/:${server.socketPath}`)
    expect(server.socketPath!.startsWith(server.workDir)).toBe(true)
  })

  it('creates the password user with rights on universe, on both endpoints', async () => {
    const auth = { user: server.user, password: server.password }
    expect(await evalOnce({ host: server.host, port: server.port }, 'return box.session.user()', auth)).toEqual(['dialectry'])
    expect(await evalOnce({ path: server.socketPath! }, 'return box.session.user(), dialectry_answer()', auth)).toEqual(['dialectry', 42])
    const space = `s${Date.now()}`
    await evalOnce({ host: server.host, port: server.port }, `box.schema.space.create('${space}'):create_index('pk') box.space.${space}:insert{1}`, auth)
    expect(await evalOnce({ host: server.host, port: server.port }, `return box.space.${space}:len()`, auth)).toEqual([1])
    await expect(RawIproto.open({ host: server.host, port: server.port }, { user: server.user, password: 'wrong' })).rejects.toMatchObject({ code: 47 })
  })

  it('lets guest read, write and execute', async () => {
    expect(await evalOnce({ host: server.host, port: server.port }, 'return box.session.user(), box.info.ro')).toEqual(['guest', false])
  })

  it('relays unix connections without leaking server connections', async () => {
    const clients = await Promise.all([1, 2, 3, 4].map(() => RawIproto.open({ path: server.socketPath! })))
    for (const client of clients) expect(await client.eval('return 1')).toEqual([1])
    const watcher = await RawIproto.open({ host: server.host, port: server.port })
    try {
      expect((await watcher.eval('return box.stat.net().CONNECTIONS.current'))[0]).toBe(5)
      for (const client of clients) client.close()
      const drained = await waitFor(async () => (await watcher.eval('return box.stat.net().CONNECTIONS.current'))[0] === 1)
      expect(drained).toBe(true)
    } finally {
      watcher.close()
    }
  })
})

describe('kill, restart and stop', () => {
  it('keeps port, socket and data across a crash and a graceful restart, and stop() removes the work dir', async () => {
    const server = await startTarantool({ memtxMemory: MEMTX })
    try {
      const tcp = { host: server.host, port: server.port }
      const auth = { user: server.user, password: server.password }
      await evalOnce(tcp, "box.schema.space.create('kept'):create_index('pk') box.space.kept:insert{1, 'before crash'}", auth)
      const { port, socketPath, workDir } = server
      const firstPid = server.pid

      await server.kill()
      expect(server.running).toBe(false)
      expect(alive(firstPid)).toBe(false)
      await expect(readGreeting(tcp, 300)).rejects.toThrow(/greeting/)
      expect(existsSync(workDir)).toBe(true)

      await server.restart()
      expect(server.running).toBe(true)
      expect(server.pid).not.toBe(firstPid)
      expect(server.port).toBe(port)
      expect(server.socketPath).toBe(socketPath)
      expect(await evalOnce({ path: socketPath! }, 'return box.space.kept:get(1)')).toEqual([[1, 'before crash']])
      await evalOnce(tcp, "box.space.kept:insert{2, 'before restart'}")

      await server.restart()
      expect(server.port).toBe(port)
      expect(await evalOnce(tcp, 'return box.space.kept:len()')).toEqual([2])

      const lastPid = server.pid
      await server.stop()
      expect(alive(lastPid)).toBe(false)
      expect(existsSync(workDir)).toBe(false)
      await expect(server.restart()).rejects.toThrow(/removed/)
    } finally {
      await server.stop()
    }
  })

  it('keepWorkDir keeps the directory after stop()', async () => {
    const server = await startTarantool({ memtxMemory: MEMTX, keepWorkDir: true, unixSocket: false })
    try {
      expect(server.socketPath).toBeUndefined()
      expect(server.socketUri).toBeUndefined()
      await server.stop()
      expect(existsSync(server.logPath)).toBe(true)
    } finally {
      rmSync(server.workDir, { recursive: true, force: true })
    }
  })
})

describe('options and failures', () => {
  it('readOnly makes box.info.ro true and refuses writes', async () => {
    const server = await startTarantool({ memtxMemory: MEMTX, readOnly: true, initLua: "box.schema.space.create('t', { if_not_exists = true }):create_index('pk', { if_not_exists = true })" })
    try {
      const auth = { user: server.user, password: server.password }
      const client = await RawIproto.open({ host: server.host, port: server.port }, auth)
      try {
        expect(await client.eval('return box.info.ro, box.space.t ~= nil')).toEqual([true, true])
        await expect(client.eval('box.space.t:insert{1}')).rejects.toThrow(/read-only/)
      } finally {
        client.close()
      }
    } finally {
      await server.stop()
    }
  })

  it('serves IPROTO natively on the unix socket with primary: unix, TCP relayed', async () => {
    const server = await startTarantool({ memtxMemory: MEMTX, primary: 'unix', password: 'p@ss:word' })
    try {
      expect(server.uri).toBe(`tarantool://dialectry:p%40ss%3Aword@127.0.0.1:${server.port}`)
      expect(await evalOnce({ path: server.socketPath! }, 'return box.info.listen')).toEqual(['unix/:(socket)'])
      expect(await evalOnce({ host: server.host, port: server.port }, 'return box.session.user()', { user: 'dialectry', password: 'p@ss:word' })).toEqual(['dialectry'])
    } finally {
      await server.stop()
    }
  })

  it('reports a failing init with the end of the server log', async () => {
    const error = await startTarantool({ memtxMemory: MEMTX, initLua: "error('boom from init')" }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'START_FAILED' })
    expect((error as Error).message).toMatch(/exited with status 70[\s\S]*initLua failed: initLua:1: boom from init/)
  })

  it('says how to install Tarantool when the binary is missing', async () => {
    await expect(startTarantool({ bin: '/nonexistent/tarantool' })).rejects.toMatchObject({ code: 'TARANTOOL_NOT_FOUND', message: expect.stringContaining('apt-get install -y tarantool') })
  })
})

describe('process lifetime', () => {
  const childScript = (exitHow: string): string =>
    `import { startTarantool } from ${JSON.stringify(new URL('../../src/testing/tarantool/index.ts', import.meta.url).pathname)}\n` +
    `const s = await startTarantool({ memtxMemory: ${MEMTX} })\n` +
    `console.log(JSON.stringify({ pid: s.pid, workDir: s.workDir }))\n${exitHow}\n`

  async function runChild(exitHow: string): Promise<{ child: ReturnType<typeof spawn>; info: { pid: number; workDir: string } }> {
    const child = spawn(process.execPath, ['--input-type=module', '-e', childScript(exitHow)], { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    const info = await new Promise<{ pid: number; workDir: string }>((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString()
        if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]!))
      })
      child.once('exit', (code) => reject(new Error(`child exited early with ${code}: ${out}`)))
    })
    return { child, info }
  }

  it('kills servers and removes their work dirs when the Node process exits without stop()', async () => {
    const { info } = await runChild('process.exit(0)')
    expect(await waitFor(() => !alive(info.pid))).toBe(true)
    expect(await waitFor(() => !existsSync(info.workDir))).toBe(true)
  })

  it('servers die by themselves when their Node parent is SIGKILLed', async () => {
    const { child, info } = await runChild('setInterval(() => {}, 1000)')
    try {
      expect(alive(info.pid)).toBe(true)
      child.kill('SIGKILL')
      expect(await waitFor(() => !alive(info.pid))).toBe(true)
    } finally {
      if (alive(info.pid)) process.kill(info.pid, 'SIGKILL')
      rmSync(info.workDir, { recursive: true, force: true })
    }
  })
})

describe('startReplicaSet', () => {
  let set: TarantoolReplicaSet
  beforeAll(async () => {
    set = await startReplicaSet({ memtxMemory: MEMTX })
  })
  afterAll(async () => {
    await set?.stop()
  })

  it('has a writable master and a read_only replica that receives the master\'s rows', async () => {
    const auth = { user: set.user, password: set.password }
    const master = await RawIproto.open({ host: set.master.host, port: set.master.port }, auth)
    const replica = await RawIproto.open({ host: set.replica.host, port: set.replica.port }, auth)
    try {
      expect(set.master.port).not.toBe(set.replica.port)
      expect(set.uris).toEqual([set.master.uri, set.replica.uri])
      expect(await master.eval('return box.info.ro')).toEqual([false])
      expect(await replica.eval('return box.info.ro, box.cfg.read_only')).toEqual([true, true])
      await master.eval("box.schema.space.create('r', { if_not_exists = true }):create_index('pk', { if_not_exists = true }) box.space.r:replace{7, 'from master'}")
      const arrived = await waitFor(async () => (await replica.eval('return box.space.r ~= nil and box.space.r:get(7) ~= nil'))[0] === true)
      expect(arrived).toBe(true)
      expect(await replica.eval('return box.space.r:get(7)')).toEqual([[7, 'from master']])
      await expect(replica.eval('box.space.r:replace{8}')).rejects.toThrow(/read-only/)
    } finally {
      master.close()
      replica.close()
    }
  })

  it('the replica resumes following after the master crashes and restarts on its port', async () => {
    const auth = { user: set.user, password: set.password }
    await set.master.kill()
    await set.master.restart()
    await evalOnce({ host: set.master.host, port: set.master.port }, "box.space.r:replace{9, 'after master restart'}", auth)
    const replica = await RawIproto.open({ path: set.replica.socketPath! }, auth)
    try {
      expect(await waitFor(async () => (await replica.eval('return box.space.r:get(9) ~= nil'))[0] === true)).toBe(true)
      expect(await replica.eval("return box.info.replication[1].upstream.status")).toEqual(['follow'])
    } finally {
      replica.close()
    }
  })

  it('stop() ends both instances and removes their directories', async () => {
    const { master, replica } = set
    await set.stop()
    expect(alive(master.pid) || alive(replica.pid)).toBe(false)
    expect(existsSync(master.workDir) || existsSync(replica.workDir)).toBe(false)
  })
})

describe('provisionTarantool', () => {
  it('honours TARANTOOL_URL without starting anything', async () => {
    const env = { TARANTOOL_URL: 'tarantool://app:s%40cret@db.example:3302', PATH: '' }
    const provisioned = await provisionTarantool({ env })
    expect(provisioned).toMatchObject({ source: 'env', host: 'db.example', port: 3302, user: 'app', password: 's@cret', uri: 'tarantool://app:s%40cret@db.example:3302' })
    expect(provisioned.process).toBeUndefined()
    expect(provisioned.socketPath).toBeUndefined()
    await provisioned.stop()
    const guest = await provisionTarantool({ env: { TARANTOOL_URL: '127.0.0.1:3301' } })
    expect(guest).toMatchObject({ source: 'env', host: '127.0.0.1', port: 3301, user: 'guest', password: '', uri: 'tarantool://127.0.0.1:3301' })
    await expect(provisionTarantool({ env: { TARANTOOL_URL: 'not a url' } })).rejects.toMatchObject({ code: 'INVALID_OPTIONS' })
  })

  it('starts the local binary when TARANTOOL_URL is unset', async () => {
    const env = { ...process.env, TARANTOOL_URL: undefined }
    const provisioned = await provisionTarantool({ env, memtxMemory: MEMTX })
    try {
      expect(provisioned.source).toBe('local')
      expect(provisioned.process?.running).toBe(true)
      expect(await evalOnce({ path: provisioned.socketPath! }, 'return box.session.user()', provisioned)).toEqual([provisioned.user])
    } finally {
      await provisioned.stop()
    }
    expect(provisioned.process?.running).toBe(false)
  })

  it('explains how to get a Tarantool when there is none', async () => {
    await expect(provisionTarantool({ env: { PATH: '' }, docker: false })).rejects.toMatchObject({
      code: 'TARANTOOL_NOT_FOUND',
      message: expect.stringMatching(/apt-get install -y tarantool[\s\S]*TARANTOOL_URL/),
    })
  })
})

describe('startFakeIprotoServer', () => {
  it('validGreeting has the 2.6 layout', () => {
    const greeting = validGreeting()
    expect(greeting.length).toBe(128)
    expect(greeting.toString('latin1', 0, 64)).toMatch(/^Tarantool 2\.6\.0 \(Binary\) [0-9a-f-]{36} *\n$/)
    expect(greeting[63]).toBe(0x0a)
    expect(greeting[127]).toBe(0x0a)
    expect(Buffer.from(greeting.toString('latin1', 64, 127).trim(), 'base64').length).toBe(32)
    expect(validGreeting('2.11.1').toString('latin1', 0, 24)).toBe('Tarantool 2.11.1 (Binary')
    expect(luaConsoleGreeting().toString('latin1', 0, 30)).toBe('Tarantool 2.6.0 (Lua console) ')
    expect(luaConsoleGreeting().length).toBe(128)
  })

  it('greets, then runs the behaviour and records what the client sent', async () => {
    const fake = await startFakeIprotoServer((socket) => {
      socket.once('data', () => socket.end(Buffer.from([0xce, 0x00, 0x00, 0x00, 0x10, 0x83])))
    })
    try {
      const socket = connect({ host: fake.host, port: fake.port })
      const chunks: Buffer[] = []
      socket.on('data', (chunk: Buffer) => chunks.push(chunk))
      await new Promise((resolve) => socket.once('connect', resolve))
      socket.write('hello')
      await new Promise((resolve) => socket.once('close', resolve))
      const all = Buffer.concat(chunks)
      expect(all.length).toBe(128 + 6)
      expect(all.toString('latin1', 0, 10)).toBe('Tarantool ')
      expect(all.subarray(128)).toEqual(Buffer.from([0xce, 0x00, 0x00, 0x00, 0x10, 0x83]))
      expect(fake.connections).toBe(1)
      expect(Buffer.concat(fake.received[0]!).toString()).toBe('hello')
    } finally {
      await fake.close()
    }
  })

  it('can stay silent or send a foreign greeting', async () => {
    const silent = await startFakeIprotoServer(() => {}, { greeting: false })
    const console_ = await startFakeIprotoServer(() => {}, { greeting: luaConsoleGreeting() })
    try {
      await expect(readGreeting({ host: silent.host, port: silent.port }, 200)).rejects.toThrow(/nothing for 200 ms/)
      expect((await readGreeting({ host: console_.host, port: console_.port })).toString('latin1', 0, 29)).toBe('Tarantool 2.6.0 (Lua console)')
    } finally {
      await silent.close()
      await console_.close()
    }
  })
})
