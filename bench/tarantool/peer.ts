import type { ClientConfig, ClientName, OpName } from './common.ts'

/** One Node.js client under test, connected and ready. */
export interface NodePeer {
  client: ClientName
  version: string
  /** Issues one request of `op`; `seq` counts from 0 per op (keys derive from it). */
  run: Record<OpName, (seq: number) => Promise<unknown>>
  /** Sends one request of `op` and throws unless the reply is right, so nothing broken gets timed. */
  check(op: OpName): Promise<void>
  close(): Promise<void>
}

export type NodePeerFactory = (config: ClientConfig) => Promise<NodePeer>

/** Throws with both values when `actual` differs from `expected` (compared as JSON). */
export function expectJson(what: string, actual: unknown, expected: unknown): void {
  const a = JSON.stringify(actual)
  const e = JSON.stringify(expected)
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`)
}
