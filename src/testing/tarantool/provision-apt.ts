import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { closeSync, linkSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { findTarantoolBinary } from './find-tarantool-binary.ts'

/** Set to `1` (any value but `''`, `0` or `false`) and provisioning never runs `apt-get`. */
export const NO_APT_ENV = 'DIALECTRY_NO_APT'

/** Where the apt step writes what it does; `process.stderr` by default. */
export interface ProvisionOutput {
  write(text: string): unknown
}

/**
 * Options of {@link installTarantoolWithApt}. Everything but `env` and `output` is a seam for tests, which point
 * it at a temporary directory so that nothing on the machine changes.
 */
export interface AptInstallOptions {
  /** `PATH` (for `apt-get` and `tarantool`), `DIALECTRY_NO_APT`; passed on to `apt-get`. Default `process.env`. */
  env?: Record<string, string | undefined>
  /** Default `process.stderr`. */
  output?: ProvisionOutput
  /** Effective user id; default `process.getuid()` (`undefined` off POSIX, which never counts as root). */
  uid?: number | undefined
  /** Default `/etc/os-release`. */
  osReleasePath?: string
  /** The cross-process lock; default `dialectry-tarantool-apt.lock` in `os.tmpdir()`. */
  lockPath?: string
  /** How long to wait for another process's install before giving up; default 15 minutes. */
  lockTimeout?: number
  /** How often a waiting process looks at the lock; default 250 ms. */
  pollInterval?: number
}

/** Why the apt step did not install, in the order the conditions are checked. */
export type AptSkipReason = 'disabled' | 'not-debian' | 'no-apt-get' | 'not-root'

/**
 * What the apt step did. `installed`: this process ran `apt-get`; `found`: a `tarantool` appeared on `PATH` while
 * waiting for the lock (another process installed it); `skipped` and `failed` carry the sentence to put in the final
 * error.
 */
export type AptInstallResult =
  | { status: 'installed' | 'found'; bin: string }
  | { status: 'skipped'; reason: AptSkipReason; hint: string }
  | { status: 'failed'; hint: string }

const GENERIC_HINT =
  'Install Tarantool (Debian/Ubuntu: apt-get install -y tarantool; elsewhere https://www.tarantool.io/en/download/)'

/**
 * The apt step of provisioning: on Debian or Ubuntu (`ID`/`ID_LIKE` in `/etc/os-release`), running as root, with
 * `apt-get` on `PATH` and `DIALECTRY_NO_APT` unset, installs Debian's `tarantool` package (`apt-get update`, then
 * `DEBIAN_FRONTEND=noninteractive apt-get install -y tarantool`), saying so on `output` and streaming apt's own
 * output there.
 *
 * Runs at most once at a time across processes (test workers, a demo started alongside): the installer holds a
 * lock file created with `O_EXCL` (`wx`); the others wait for it to go away and then find the installed binary on
 * `PATH`. A lock left by a process that died is taken over.
 *
 * Never throws: what it could not do comes back as a `hint` for the caller's error message.
 */
export async function installTarantoolWithApt(options: AptInstallOptions = {}): Promise<AptInstallResult> {
  const env = options.env ?? process.env
  const output = options.output ?? process.stderr
  const flag = env[NO_APT_ENV]
  if (flag !== undefined && flag !== '' && flag !== '0' && flag.toLowerCase() !== 'false') {
    return {
      status: 'skipped',
      reason: 'disabled',
      hint: `Install Tarantool (Debian/Ubuntu: apt-get install -y tarantool), or unset ${NO_APT_ENV} to let dialectry do it as root`,
    }
  }
  if (!isDebianLike(options.osReleasePath ?? '/etc/os-release')) {
    return { status: 'skipped', reason: 'not-debian', hint: GENERIC_HINT }
  }
  const aptGet = findTarantoolBinary('apt-get', env)
  if (aptGet === undefined) return { status: 'skipped', reason: 'no-apt-get', hint: GENERIC_HINT }
  const uid = 'uid' in options ? options.uid : process.getuid?.()
  if (uid !== 0) {
    return { status: 'skipped', reason: 'not-root', hint: 'Run `sudo apt-get install -y tarantool` once' }
  }

  const lockPath = options.lockPath ?? join(tmpdir(), 'dialectry-tarantool-apt.lock')
  const lock = await acquireLock(lockPath, env, output, options.lockTimeout ?? 15 * 60_000, options.pollInterval ?? 250)
  if ('bin' in lock) return { status: 'found', bin: lock.bin }
  if ('timedOut' in lock) {
    return {
      status: 'failed',
      hint: `Another process held ${lockPath} (installing tarantool) for too long; run \`apt-get install -y tarantool\``,
    }
  }
  try {
    // Another process may have finished between our PATH check and taking the lock.
    const already = findTarantoolBinary('tarantool', env)
    if (already !== undefined) return { status: 'found', bin: already }
    output.write(
      `dialectry: no tarantool binary found; installing Debian's tarantool package with apt-get ` +
        `(set ${NO_APT_ENV}=1 to skip this)\n`,
    )
    const aptEnv = { ...env, DEBIAN_FRONTEND: 'noninteractive' }
    // DPkg::Lock::Timeout: wait for a dpkg lock held by e.g. unattended-upgrades instead of failing at once.
    for (const args of [['update'], ['-o', 'DPkg::Lock::Timeout=300', 'install', '-y', 'tarantool']]) {
      output.write(`dialectry: apt-get ${args.join(' ')}\n`)
      const run = await runStreaming(aptGet, args, aptEnv, output)
      if (run.code !== 0) {
        return {
          status: 'failed',
          hint:
            `\`apt-get ${args.join(' ')}\` failed (${run.code === null ? `signal ${run.signal}` : `exit status ${run.code}`}` +
            `${run.tail === '' ? '' : `: ${run.tail}`}); fix that and run \`apt-get install -y tarantool\``,
        }
      }
    }
    const bin = findTarantoolBinary('tarantool', env)
    if (bin === undefined) {
      return { status: 'failed', hint: 'apt-get installed the tarantool package but no tarantool binary is on PATH' }
    }
    output.write(`dialectry: installed ${bin}\n`)
    return { status: 'installed', bin }
  } finally {
    lock.release()
  }
}

/** `true` when `/etc/os-release` says Debian, Ubuntu or a derivative (`ID_LIKE`). */
function isDebianLike(path: string): boolean {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch {
    return false
  }
  const ids: string[] = []
  for (const line of text.split('\n')) {
    const m = /^\s*(ID|ID_LIKE)\s*=\s*(.*?)\s*$/.exec(line)
    if (m !== null) ids.push(...m[2]!.replace(/^["']|["']$/g, '').toLowerCase().split(/\s+/))
  }
  return ids.includes('debian') || ids.includes('ubuntu')
}

interface HeldLock {
  release(): void
}

/**
 * Takes the lock file, or waits while another live process holds it. Returns `{ bin }` as soon as a `tarantool`
 * is on `PATH` (checked before every attempt), so waiters never install a second time.
 */
async function acquireLock(
  lockPath: string,
  env: Record<string, string | undefined>,
  output: ProvisionOutput,
  timeout: number,
  pollInterval: number,
): Promise<HeldLock | { bin: string } | { timedOut: true }> {
  const content = JSON.stringify({ pid: process.pid, token: randomBytes(8).toString('hex'), at: new Date().toISOString() })
  const deadline = Date.now() + timeout
  let announced = false
  for (;;) {
    const bin = findTarantoolBinary('tarantool', env)
    if (bin !== undefined) return { bin }
    try {
      const fd = openSync(lockPath, 'wx', 0o644)
      try {
        writeSync(fd, content)
      } finally {
        closeSync(fd)
      }
      return {
        release() {
          try {
            if (readFileSync(lockPath, 'utf8') === content) unlinkSync(lockPath)
          } catch {
            // already gone
          }
        },
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    const holder = readLock(lockPath)
    if (holder !== undefined && isStale(holder)) {
      removeStale(lockPath, holder.text)
      continue
    }
    if (Date.now() >= deadline) return { timedOut: true }
    if (!announced) {
      announced = true
      output.write(
        `dialectry: waiting for another process${holder?.pid === undefined ? '' : ` (pid ${holder.pid})`} ` +
          `to finish installing tarantool (lock ${lockPath})\n`,
      )
    }
    await new Promise((resolve) => setTimeout(resolve, pollInterval))
  }
}

interface LockHolder {
  text: string
  pid: number | undefined
  ageMs: number
}

function readLock(lockPath: string): LockHolder | undefined {
  try {
    const ageMs = Date.now() - statSync(lockPath).mtimeMs
    const text = readFileSync(lockPath, 'utf8')
    let pid: number | undefined
    try {
      const parsed = JSON.parse(text) as { pid?: unknown }
      if (typeof parsed.pid === 'number' && Number.isInteger(parsed.pid) && parsed.pid > 0) pid = parsed.pid
    } catch {
      // being written, or not ours
    }
    return { text, pid, ageMs }
  } catch {
    return undefined // released in the meantime
  }
}

/** A lock whose process is gone, or an unreadable one older than 30 s. A live holder is waited for. */
function isStale(holder: LockHolder): boolean {
  if (holder.pid === undefined) return holder.ageMs > 30_000
  try {
    process.kill(holder.pid, 0)
    return false
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH'
  }
}

/**
 * Removes a stale lock without removing a fresh one that replaced it meanwhile: moves the file aside, and puts it
 * back when it is not the one that was judged stale.
 */
function removeStale(lockPath: string, staleText: string): void {
  const aside = `${lockPath}.${process.pid}.${randomBytes(4).toString('hex')}`
  try {
    renameSync(lockPath, aside)
  } catch {
    return
  }
  try {
    if (readFileSync(aside, 'utf8') !== staleText) linkSync(aside, lockPath)
  } catch {
    // a new lock exists already; nothing to restore
  }
  try {
    unlinkSync(aside)
  } catch {
    // gone
  }
}

/** Runs a command with its stdout and stderr copied to `output`; resolves with its status and last output line. */
function runStreaming(
  command: string,
  args: string[],
  env: Record<string, string | undefined>,
  output: ProvisionOutput,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; tail: string }> {
  return new Promise((resolve) => {
    let last = ''
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
    const forward = (chunk: Buffer): void => {
      const text = chunk.toString('utf8')
      output.write(text)
      last = (last + text).slice(-2000)
    }
    child.stdout.on('data', forward)
    child.stderr.on('data', forward)
    child.on('error', (error) => resolve({ code: -1, signal: null, tail: error.message }))
    child.on('close', (code, signal) => {
      const lines = last.split('\n').map((l) => l.trim()).filter((l) => l !== '')
      resolve({ code, signal, tail: lines.slice(-1)[0] ?? '' })
    })
  })
}
