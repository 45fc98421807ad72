import { fileURLToPath } from 'node:url'
import { runCollecting } from '../shared/client-process.ts'
import { parseReport, type ClientConfig, type ClientReport } from './common.ts'

const SCRIPT = fileURLToPath(new URL('./netbox-client.lua', import.meta.url))

/** Where the `tarantool` binary that runs the net.box client lives; `TARANTOOL_BIN` overrides `PATH`. */
export function tarantoolBin(): string {
  return process.env['TARANTOOL_BIN'] || 'tarantool'
}

/** Runs Tarantool's own net.box client (bench/tarantool/netbox-client.lua) as a separate process. */
export async function runNetbox(config: ClientConfig): Promise<ClientReport> {
  const { stdout, stderr, code } = await runScript('bench', config)
  try {
    return parseReport(stdout, 'net.box')
  } catch {
    return { client: 'net.box', version: '?', results: [], error: `exit ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}` }
  }
}

/**
 * Evaluates Lua on the server through a short-lived net.box client (setup, truncation, version).
 * @returns the first value the chunk returns.
 */
export async function evalOnServer(config: ClientConfig, lua: string): Promise<unknown> {
  const { stdout, stderr, code } = await runScript('eval', { ...config, eval: lua })
  const line = stdout.split('\n').reverse().find((l) => l.startsWith('{'))
  const reply = line === undefined ? undefined : (JSON.parse(line) as { ok: boolean; result?: unknown; error?: string })
  if (reply?.ok !== true) throw new Error(`net.box eval failed (exit ${code}): ${reply?.error ?? stderr.trim()}`)
  return reply.result
}

function runScript(mode: 'bench' | 'eval', config: ClientConfig & { eval?: string }): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return runCollecting(tarantoolBin(), [SCRIPT, mode], config)
}
