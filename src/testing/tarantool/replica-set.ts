import { randomBytes } from 'node:crypto'
import { startTarantool, type StartTarantoolOptions, type TarantoolProcess } from './tarantool-process.ts'

/**
 * Options of {@link startReplicaSet}: those of {@link startTarantool} that make sense for both instances.
 * `initLua` runs on both: first on the master (writable), then on the replica after it has bootstrapped from
 * the master, where `box.info.ro` is `true` — idempotent DDL (`if_not_exists`) is a no-op there because the
 * objects already arrived by replication, and Lua functions for CALL get defined on both.
 */
export type StartReplicaSetOptions = Omit<StartTarantoolOptions, 'readOnly' | 'replicateFrom' | 'port' | 'primary'>

/** Two local Tarantool instances of one replica set. */
export interface TarantoolReplicaSet {
  /** The writable instance (`box.info.ro == false`). */
  readonly master: TarantoolProcess
  /** The `read_only` instance, replicating everything from the master (asynchronous replication). */
  readonly replica: TarantoolProcess
  /** User that exists on both instances (created on the master, replicated). */
  readonly user: string
  readonly password: string
  /** `[master.uri, replica.uri]`. */
  readonly uris: readonly [string, string]
  /** Stops the replica, then the master, and removes both work directories. Idempotent. */
  stop(): Promise<void>
}

/**
 * Starts a master/replica pair on loopback with the local `tarantool` binary (tested with 2.6.0): the master
 * listens on a free port and creates the user; the replica has `box.cfg.replication` pointing at the master
 * (`user:password@127.0.0.1:<port>`, the user holds the `replication` role), bootstraps from it, is
 * `read_only`, and is only returned once its upstream status is `follow`. Rows written on the master appear on
 * the replica within milliseconds. `master.restart()` keeps the port, so the replica reconnects by itself.
 *
 * @example
 * const set = await startReplicaSet({ initLua: "box.schema.space.create('t', { if_not_exists = true })" })
 * try {
 *   console.log(set.master.uri, set.replica.uri)
 * } finally {
 *   await set.stop()
 * }
 * @throws TarantoolProvisionError from {@link startTarantool} (no binary, start failure or timeout; code
 *   `START_FAILED` also when the replica cannot bootstrap from the master). Nothing is left running on error.
 */
export async function startReplicaSet(options: StartReplicaSetOptions = {}): Promise<TarantoolReplicaSet> {
  const user = options.user ?? 'dialectry'
  const password = options.password ?? randomBytes(12).toString('hex')
  const master = await startTarantool({ ...options, user, password })
  let replica: TarantoolProcess
  try {
    replica = await startTarantool({ ...options, user, password, replicateFrom: master.replicationUri })
  } catch (error) {
    await master.stop()
    throw error
  }
  let stopping: Promise<void> | undefined
  return {
    master,
    replica,
    user,
    password,
    uris: [master.uri, replica.uri],
    stop() {
      stopping ??= replica.stop().finally(() => master.stop())
      return stopping
    },
  }
}
