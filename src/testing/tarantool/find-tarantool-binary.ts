import { accessSync, constants, statSync } from 'node:fs'
import { delimiter, isAbsolute, join, resolve } from 'node:path'

/**
 * Finds the `tarantool` executable: `bin` if given (a path, or a name searched on `PATH`), else
 * `env.TARANTOOL_BIN`, else `tarantool` on `env.PATH`.
 *
 * @param bin explicit path or name.
 * @param env environment to read `TARANTOOL_BIN` and `PATH` from; default `process.env`.
 * @returns an absolute path to an executable file, or `undefined` when none is found.
 * @example
 * const bin = findTarantoolBinary() // '/usr/bin/tarantool' on Debian with the tarantool package
 */
export function findTarantoolBinary(bin?: string, env: Record<string, string | undefined> = process.env): string | undefined {
  const wanted = bin ?? (env['TARANTOOL_BIN'] || 'tarantool')
  if (wanted.includes('/')) return isExecutable(wanted) ? resolve(wanted) : undefined
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (dir === '' || !isAbsolute(dir)) continue
    const candidate = join(dir, wanted)
    if (isExecutable(candidate)) return candidate
  }
  return undefined
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK)
    return statSync(path).isFile()
  } catch {
    return false
  }
}
