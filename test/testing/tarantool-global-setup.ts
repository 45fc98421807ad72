import { findTarantoolBinary } from '../../src/testing/tarantool/find-tarantool-binary.ts'
import { installTarantoolWithApt } from '../../src/testing/tarantool/provision-apt.ts'

/**
 * vitest globalSetup: runs once in the main process before any test file. Several suites start a local server with
 * `startTarantool` directly, so the binary must exist before the workers start: when none is found (and
 * `TARANTOOL_BIN` is not set), the apt step of `provisionTarantool` runs here (Debian/Ubuntu, root, `apt-get`;
 * `DIALECTRY_NO_APT=1` turns it off). It shares the cross-process lock with the demo and `provisionTarantool`.
 * It never fails the run: without a binary the suites that need one fail with their own `TARANTOOL_NOT_FOUND`.
 */
export default async function setup(): Promise<void> {
  if (findTarantoolBinary() !== undefined || (process.env['TARANTOOL_BIN'] ?? '') !== '') return
  const result = await installTarantoolWithApt()
  if ('hint' in result) {
    process.stderr.write(`dialectry: no tarantool binary, so the suites that start a local Tarantool will fail. ${result.hint}.\n`)
  }
}
