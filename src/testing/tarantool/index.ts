/**
 * `dialectry/testing/tarantool`: real Tarantool servers for tests, the demo and benchmarks, plus a fake IPROTO
 * endpoint for protocol-fault tests.
 *
 * - {@link startTarantool}: one local server (the `tarantool` binary, e.g. Debian's 2.6) on a free loopback TCP
 *   port and a unix socket in a temp directory, with a password user; kill/restart keep port and data.
 * - {@link startReplicaSet}: a writable master and a `read_only` replica replicating from it.
 * - {@link provisionTarantool}: `TARANTOOL_URL`, else a local binary, else (root on Debian/Ubuntu) Debian's
 *   `tarantool` package installed with apt-get (`DIALECTRY_NO_APT=1` skips this), else Docker via `testcontainers`.
 * - {@link startFakeIprotoServer}, {@link validGreeting}, {@link luaConsoleGreeting}: scripted misbehaving servers.
 *
 * @example
 * import { provisionTarantool } from 'dialectry/testing/tarantool'
 *
 * const tarantool = await provisionTarantool()
 * console.log(tarantool.uri) // tarantool://dialectry:…@127.0.0.1:40211
 * await tarantool.stop()
 */
import '../../core/node-version-check.ts' // first: fails clearly on an unsupported Node.js before dependencies load
export { startTarantool, type StartTarantoolOptions, type TarantoolProcess } from './tarantool-process.ts'
export { findTarantoolBinary } from './find-tarantool-binary.ts'
export { readGreeting } from './read-greeting.ts'
export { TarantoolProvisionError } from './provision-error.ts'
export { startReplicaSet, type StartReplicaSetOptions, type TarantoolReplicaSet } from './replica-set.ts'
export {
  provisionTarantool,
  type ProvisionedTarantool,
  type ProvisionTarantoolOptions,
  type TarantoolSource,
} from './provision.ts'
export {
  luaConsoleGreeting,
  startFakeIprotoServer,
  validGreeting,
  type FakeIprotoBehaviour,
  type FakeIprotoServer,
  type FakeIprotoServerOptions,
} from './fake-iproto-server.ts'
