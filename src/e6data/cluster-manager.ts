import { Metadata, type Client, type ServiceError } from '@grpc/grpc-js'
import { sleep } from '../core/abort.ts'
import { channelCredentials, type ResolvedOptions } from './connection-options.ts'
import { E6dataClusterSuspendedError } from './errors.ts'
import { classifyGrpcError } from './grpc-errors.ts'
import { clusterClientConstructor } from './proto-schema.ts'
import type { Strategy, StrategyState } from './strategy-state.ts'

/**
 * Auto-resume of a suspended cluster, as e6data/e6data-python-connector `e6data_python_connector/cluster_manager.py`
 * does it: `ClusterService.status` on the same host:port (headers `cluster-name`, `strategy`); `active` → done;
 * `suspended` → `resume`, then poll `status` every `resumePollInterval` ms until `active` (done), `failed`, or the
 * `autoResumeTimeout` bound. Status errors while polling count as "unknown" and polling goes on. A 456 flips to the
 * other colour and is remembered in the shared strategy state (the connector keeps a separate store here).
 * Concurrent resumes of one target share one wait.
 *
 * @throws E6dataClusterSuspendedError `RESUME_FAILED` / `RESUME_TIMEOUT` when the cluster does not become active.
 */
const inFlight = new Map<string, Promise<void>>()

export function resumeCluster(o: ResolvedOptions, state: StrategyState, signal?: AbortSignal): Promise<void> {
  let p = inFlight.get(o.target)
  if (p === undefined) {
    p = runResume(o, state, signal).finally(() => inFlight.delete(o.target))
    inFlight.set(o.target, p)
  }
  return p
}

async function runResume(o: ResolvedOptions, state: StrategyState, signal?: AbortSignal): Promise<void> {
  const Ctor = clusterClientConstructor()
  const client = new Ctor(o.target, channelCredentials(o), o.channelOptions) as Client & Record<string, Function>
  const deadlineAt = Date.now() + o.autoResumeTimeout
  let strategy: Strategy | undefined = state.active
  const call = (rpc: 'status' | 'resume'): Promise<string> =>
    new Promise((resolve, reject) => {
      const md = new Metadata()
      if (o.clusterName !== undefined) md.set('cluster-name', o.clusterName)
      if (strategy !== undefined) md.set('strategy', strategy)
      const deadline = Math.min(deadlineAt, Date.now() + 30_000)
      client[rpc]!({ user: o.username, password: o.password }, md, { deadline }, (err: ServiceError | null, res: { status?: string }) => {
        if (err) reject(err)
        else resolve(String(res?.status ?? '').toLowerCase())
      })
    })
  const callWithStrategy = async (rpc: 'status' | 'resume'): Promise<string> => {
    for (let i = 0; ; i++) {
      try {
        return await call(rpc)
      } catch (err) {
        if (classifyGrpcError(err) !== 'strategy' || i >= 2) throw err
        strategy = strategy === 'blue' ? 'green' : 'blue'
      }
    }
  }
  try {
    o.log?.(`cluster ${o.clusterName ?? o.target} is suspended: resuming (bound ${o.autoResumeTimeout} ms)`)
    let st = await callWithStrategy('status').catch(() => 'unknown')
    if (st === 'suspended') st = await callWithStrategy('resume').catch(() => 'unknown')
    for (;;) {
      if (st === 'active') {
        if (strategy !== undefined) state.setActive(strategy, 'cluster status answered with this colour')
        o.log?.('cluster is active')
        return
      }
      if (st === 'failed') throw new E6dataClusterSuspendedError(`e6data cluster ${o.clusterName ?? o.target} failed to resume`, { code: 'RESUME_FAILED', rpc: 'ClusterService.status' })
      if (Date.now() + o.resumePollInterval > deadlineAt) {
        throw new E6dataClusterSuspendedError(`e6data cluster ${o.clusterName ?? o.target} was not active within ${o.autoResumeTimeout} ms (last status ${st})`, {
          code: 'RESUME_TIMEOUT',
          rpc: 'ClusterService.status',
          retryable: true,
        })
      }
      await sleep(o.resumePollInterval, signal)
      st = await callWithStrategy('status').catch(() => 'unknown')
      if (st === 'suspended') st = await callWithStrategy('resume').catch(() => 'unknown')
    }
  } finally {
    client.close()
  }
}
