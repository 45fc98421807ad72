import { spawn } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { findTarantoolBinary } from '../../src/testing/tarantool/find-tarantool-binary.ts'
import { installTarantoolWithApt } from '../../src/testing/tarantool/provision-apt.ts'
import { provisionTarantoolWith, type ProvisionedTarantool, type ProvisionSeams } from '../../src/testing/tarantool/provision.ts'

// The provisioning order, checked with stand-in executables on a temporary PATH that holds nothing else (so the
// real /usr/bin/tarantool and apt-get are out of sight), a stand-in /etc/os-release, an injected uid and a lock
// file in the sandbox. The stand-in apt-get records its calls and, for `install`, "installs" a tarantool that
// records its calls and runs the real server, so the local path after an install is exercised for real. Nothing
// outside the sandbox changes.

const realTarantool = findTarantoolBinary()
const MEMTX = 64 * 1024 * 1024

interface Sandbox {
  dir: string
  bin: string
  log: string
  osRelease: string
  lockPath: string
  output: string[]
  env: Record<string, string | undefined>
  calls(): string[]
  seams(overrides?: Partial<NonNullable<ProvisionSeams['apt']>>): ProvisionSeams & { containerCalls: number }
  /** Puts the stand-in tarantool on the sandbox PATH, as an installed package would. */
  addTarantool(): void
}

const sandboxes: Sandbox[] = []
afterEach(() => {
  for (const s of sandboxes.splice(0)) rmSync(s.dir, { recursive: true, force: true })
})

function tarantoolScript(log: string): string {
  return `#!/bin/sh\necho "tarantool $*" >> '${log}'\nexec '${realTarantool}' "$@"\n`
}

/**
 * `aptExit`: exit status of every stand-in apt-get call (non-zero: fails at once, like a missing package);
 * `installDelay`: seconds `install` takes, to widen the window in which a second provisioner could start one.
 */
function sandbox(opts: { os?: string; aptGet?: boolean; aptExit?: number; installDelay?: number } = {}): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), 'dialectry-apt-test-'))
  const bin = join(dir, 'bin')
  const log = join(dir, 'calls.log')
  const osRelease = join(dir, 'os-release')
  mkdirSync(bin)
  writeFileSync(join(dir, 'tarantool.stub'), tarantoolScript(log))
  writeFileSync(log, '')
  writeFileSync(osRelease, opts.os ?? 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n')
  if (opts.aptGet ?? true) {
    const exit = opts.aptExit ?? 0
    writeExecutable(
      join(bin, 'apt-get'),
      '#!/bin/sh\n' +
        `echo "DEBIAN_FRONTEND=$DEBIAN_FRONTEND apt-get $*" >> '${log}'\n` +
        `[ ${exit} -eq 0 ] || { echo "E: Unable to locate package tarantool" >&2; exit ${exit}; }\n` +
        'case " $* " in\n' +
        '  *" install "*)\n' +
        `    /bin/sleep ${opts.installDelay ?? 0}\n` +
        `    /bin/cp '${join(dir, 'tarantool.stub')}' '${join(bin, 'tarantool.tmp')}'\n` +
        `    /bin/chmod 755 '${join(bin, 'tarantool.tmp')}'\n` +
        `    /bin/mv '${join(bin, 'tarantool.tmp')}' '${join(bin, 'tarantool')}'\n` +
        '    echo "Setting up tarantool (stand-in) ..." ;;\n' +
        '  *) echo "Reading package lists... Done" ;;\n' +
        'esac\n',
    )
  }
  const output: string[] = []
  const s: Sandbox = {
    dir,
    bin,
    log,
    osRelease,
    lockPath: join(dir, 'install.lock'),
    output,
    env: { PATH: bin },
    calls: () => readFileSync(log, 'utf8').split('\n').filter((l) => l !== ''),
    seams(overrides = {}) {
      const seams: ProvisionSeams & { containerCalls: number } = {
        containerCalls: 0,
        apt: {
          uid: 0,
          osReleasePath: osRelease,
          lockPath: s.lockPath,
          pollInterval: 20,
          output: { write: (text: string) => output.push(text) },
          ...overrides,
        },
        startContainer: async () => {
          seams.containerCalls++
          return undefined
        },
      }
      return seams
    },
    addTarantool() {
      writeExecutable(join(bin, 'tarantool'), tarantoolScript(log))
    },
  }
  sandboxes.push(s)
  return s
}

function writeExecutable(path: string, text: string): void {
  writeFileSync(path, text)
  chmodSync(path, 0o755)
}

const aptCalls = (s: Sandbox) => s.calls().filter((c) => c.includes('apt-get'))
const installCalls = (s: Sandbox) => aptCalls(s).filter((c) => / install /.test(c))

async function stopAll(...servers: (ProvisionedTarantool | undefined)[]): Promise<void> {
  for (const server of servers) await server?.stop()
}

beforeAll(() => {
  expect(realTarantool, 'the real tarantool binary (installed by the globalSetup)').toBeDefined()
})

describe('provisionTarantool order', () => {
  it('1. TARANTOOL_URL wins over a binary on PATH and over apt', async () => {
    const s = sandbox()
    s.addTarantool()
    const seams = s.seams()
    const server = await provisionTarantoolWith({ env: { ...s.env, TARANTOOL_URL: 'tarantool://app:pw@db.example:3302' } }, seams)
    expect(server).toMatchObject({ source: 'env', host: 'db.example', port: 3302 })
    expect(s.calls()).toEqual([])
    expect(seams.containerCalls).toBe(0)
  })

  it('2. a tarantool on PATH (or TARANTOOL_BIN) is started, apt-get is not run', async () => {
    const s = sandbox()
    s.addTarantool()
    const seams = s.seams()
    const onPath = await provisionTarantoolWith({ env: s.env, memtxMemory: MEMTX }, seams)
    await stopAll(onPath)
    expect(onPath.source).toBe('local')

    const elsewhere = sandbox()
    const viaBin = await provisionTarantoolWith(
      { env: { ...elsewhere.env, TARANTOOL_BIN: join(s.bin, 'tarantool') }, memtxMemory: MEMTX },
      elsewhere.seams(),
    )
    await stopAll(viaBin)
    expect(viaBin.source).toBe('local')
    expect(aptCalls(s)).toEqual([])
    expect(aptCalls(elsewhere)).toEqual([])
    expect(s.calls().filter((c) => c.startsWith('tarantool ')).length).toBeGreaterThanOrEqual(2)
    expect(seams.containerCalls).toBe(0)
  })

  it('3. as root on Debian with apt-get: update, then a noninteractive install, announced, then the local server', async () => {
    const s = sandbox()
    const seams = s.seams()
    const server = await provisionTarantoolWith({ env: s.env, memtxMemory: MEMTX }, seams)
    try {
      expect(server.source).toBe('local')
      expect(server.process?.running).toBe(true)
    } finally {
      await stopAll(server)
    }
    expect(aptCalls(s)).toEqual([
      'DEBIAN_FRONTEND=noninteractive apt-get update',
      'DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y tarantool',
    ])
    expect(s.calls().some((c) => c.startsWith('tarantool '))).toBe(true)
    const said = s.output.join('')
    expect(said).toContain("installing Debian's tarantool package with apt-get (set DIALECTRY_NO_APT=1 to skip this)")
    expect(said).toContain('Setting up tarantool (stand-in)')
    expect(said).toContain(`installed ${join(s.bin, 'tarantool')}`)
    expect(seams.containerCalls).toBe(0)
    expect(existsSync(s.lockPath)).toBe(false)
  })

  it('Ubuntu and derivatives (ID_LIKE) count as Debian', async () => {
    const ubuntu = sandbox({ os: 'NAME="Ubuntu"\nID=ubuntu\nID_LIKE=debian\n' })
    expect(await installTarantoolWithApt({ env: ubuntu.env, ...ubuntu.seams().apt })).toMatchObject({ status: 'installed' })
    const mint = sandbox({ os: 'NAME="Linux Mint"\nID=linuxmint\nID_LIKE="ubuntu debian"\n' })
    expect(await installTarantoolWithApt({ env: mint.env, ...mint.seams().apt })).toMatchObject({ status: 'installed' })
  })

  it('4. DIALECTRY_NO_APT=1 skips apt: Docker is next, and the error says why', async () => {
    const s = sandbox()
    const seams = s.seams()
    const docker: ProvisionedTarantool = { uri: 'tarantool://h:1', host: 'h', port: 1, user: 'guest', password: '', source: 'testcontainers', stop: async () => {} }
    seams.startContainer = async () => {
      seams.containerCalls++
      return docker
    }
    expect(await provisionTarantoolWith({ env: { ...s.env, DIALECTRY_NO_APT: '1' } }, seams)).toBe(docker)
    expect(seams.containerCalls).toBe(1)

    const error = await provisionTarantoolWith({ env: { ...s.env, DIALECTRY_NO_APT: '1' }, docker: false }, s.seams()).catch((e: unknown) => e)
    expect(error).toMatchObject({ name: 'TarantoolProvisionError', code: 'TARANTOOL_NOT_FOUND' })
    expect((error as Error).message).toMatch(/DIALECTRY_NO_APT is set[\s\S]*apt-get install -y tarantool[\s\S]*TARANTOOL_URL/)
    expect(s.calls()).toEqual([])
    expect(s.output).toEqual([])

    // '', '0' and 'false' do not turn it off
    for (const value of ['', '0', 'false']) {
      const t = sandbox()
      expect(await installTarantoolWithApt({ env: { ...t.env, DIALECTRY_NO_APT: value }, ...t.seams().apt })).toMatchObject({ status: 'installed' })
    }
  })

  it('5. a non-root user is told the one command to run; Docker is still tried first', async () => {
    const s = sandbox()
    const seams = s.seams({ uid: 1000 })
    const error = await provisionTarantoolWith({ env: s.env }, seams).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'TARANTOOL_NOT_FOUND' })
    expect((error as Error).message).toContain('Run `sudo apt-get install -y tarantool` once, or set TARANTOOL_URL=')
    expect(seams.containerCalls).toBe(1)
    expect(s.calls()).toEqual([])
  })

  it('6. not Debian, or no apt-get: nothing is run and the error gives the general instructions', async () => {
    for (const s of [sandbox({ os: 'ID=fedora\nID_LIKE="rhel centos fedora"\n' }), sandbox({ aptGet: false })]) {
      const seams = s.seams()
      const error = await provisionTarantoolWith({ env: s.env }, seams).catch((e: unknown) => e)
      expect((error as Error).message).toMatch(/Install Tarantool \(Debian\/Ubuntu: apt-get install -y tarantool;[\s\S]*TARANTOOL_URL=/)
      expect(seams.containerCalls).toBe(1)
      expect(s.calls()).toEqual([])
    }
    const missing = sandbox()
    const seams = missing.seams({ osReleasePath: join(missing.dir, 'no-such-file') })
    await expect(provisionTarantoolWith({ env: missing.env, docker: false }, seams)).rejects.toMatchObject({ code: 'TARANTOOL_NOT_FOUND' })
    expect(missing.calls()).toEqual([])
  })

  it('an explicit TARANTOOL_BIN that names nothing is reported, not papered over with apt', async () => {
    const s = sandbox()
    const error = await provisionTarantoolWith({ env: { ...s.env, TARANTOOL_BIN: join(s.dir, 'nope') }, docker: false }, s.seams()).catch((e: unknown) => e)
    expect((error as Error).message).toContain('TARANTOOL_BIN names no executable file')
    expect(s.calls()).toEqual([])
  })

  it('a failing apt-get falls through to Docker, then an error that quotes apt', async () => {
    const s = sandbox({ aptExit: 100 })
    const seams = s.seams()
    const error = await provisionTarantoolWith({ env: s.env }, seams).catch((e: unknown) => e)
    expect(seams.containerCalls).toBe(1)
    expect((error as Error).message).toMatch(/installing it with apt-get failed[\s\S]*apt-get update` failed \(exit status 100: E: Unable to locate package tarantool\)/)
    expect(aptCalls(s)).toHaveLength(1)
    expect(existsSync(s.lockPath)).toBe(false)
  })
})

describe('the apt step runs once across concurrent provisioners', () => {
  it('two provisioners in one process: one installs, the other waits and finds it', async () => {
    const s = sandbox({ installDelay: 0.5 })
    const [a, b] = await Promise.all([
      installTarantoolWithApt({ env: s.env, ...s.seams().apt }),
      installTarantoolWithApt({ env: s.env, ...s.seams().apt }),
    ])
    expect([a.status, b.status].sort()).toEqual(['found', 'installed'])
    expect(installCalls(s)).toHaveLength(1)
    expect(s.output.join('')).toMatch(/waiting for another process \(pid \d+\) to finish installing tarantool/)
    expect(existsSync(s.lockPath)).toBe(false)
  })

  it('two provisioner processes started together install once', async () => {
    const s = sandbox({ installDelay: 0.5 })
    const helper = fileURLToPath(new URL('../../src/testing/tarantool/provision-apt.ts', import.meta.url))
    const script = join(s.dir, 'provisioner.ts')
    writeFileSync(
      script,
      `import { installTarantoolWithApt } from ${JSON.stringify(helper)}\n` +
        `const result = await installTarantoolWithApt({ env: { PATH: ${JSON.stringify(s.bin)} }, uid: 0, ` +
        `osReleasePath: ${JSON.stringify(s.osRelease)}, lockPath: ${JSON.stringify(s.lockPath)}, pollInterval: 20, ` +
        `output: { write: () => {} } })\n` +
        'process.stdout.write(JSON.stringify(result))\n',
    )
    const run = () =>
      new Promise<{ status: string }>((resolve, reject) => {
        const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] })
        let out = ''
        child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
        child.on('error', reject)
        child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as { status: string }) : reject(new Error(`exit ${code}`))))
      })
    const results = await Promise.all([run(), run()])
    expect(results.map((r) => r.status).sort()).toEqual(['found', 'installed'])
    expect(installCalls(s)).toHaveLength(1)
    expect(aptCalls(s)).toHaveLength(2) // one update, one install
    expect(existsSync(s.lockPath)).toBe(false)
  })

  it('a lock left by a process that died is taken over', async () => {
    const s = sandbox()
    const dead = spawn(process.execPath, ['-e', '']).pid!
    await new Promise((resolve) => setTimeout(resolve, 200))
    writeFileSync(s.lockPath, JSON.stringify({ pid: dead, token: 'x', at: new Date().toISOString() }))
    expect(await installTarantoolWithApt({ env: s.env, ...s.seams().apt })).toMatchObject({ status: 'installed' })
    expect(installCalls(s)).toHaveLength(1)
    expect(existsSync(s.lockPath)).toBe(false)
  })

  it('a live holder that never finishes makes the waiter give up after lockTimeout, without installing', async () => {
    const s = sandbox()
    writeFileSync(s.lockPath, JSON.stringify({ pid: process.pid, token: 'held', at: new Date().toISOString() }))
    const result = await installTarantoolWithApt({ env: s.env, ...s.seams().apt, lockTimeout: 300 })
    expect(result).toMatchObject({ status: 'failed', hint: expect.stringContaining('for too long') })
    expect(s.calls()).toEqual([])
    expect(readFileSync(s.lockPath, 'utf8')).toContain('held')
  })
})
