import type { CallScope } from '../core/abort.ts'
import { RequestAbortedError, TimeoutError } from './errors.ts'

/**
 * The error for a call whose scope ended early: {@link TimeoutError} when its timeout elapsed,
 * {@link RequestAbortedError} (with the signal's reason as `cause`) when the caller aborted.
 *
 * @param what What was sent, e.g. `POST /_sql`.
 * @param sent Whether the request may have reached a node.
 * @param timeout The call's timeout in ms, for the message.
 */
export function endedError(scope: CallScope, what: string, sent: boolean, timeout: number | undefined, node?: string): TimeoutError | RequestAbortedError {
  const at = node !== undefined ? ` to ${node}` : ''
  const tail = sent ? '; it may have started on the server' : '; it was not sent'
  if (scope.ended === 'timeout') {
    return new TimeoutError(`${what}${at} did not complete within ${timeout} ms${tail}`, { code: 'TIMEOUT', node })
  }
  return new RequestAbortedError(`${what}${at} was aborted${tail}`, { code: 'ABORTED', node, cause: scope.reason })
}

/**
 * Lets `error` report a kill that goes on in the background: `error.killing` resolves with the killed job ids,
 * which are also added to `error.killedJobs`. `kill` must never reject.
 */
export function attachKill(error: TimeoutError | RequestAbortedError, kill: Promise<string[]>): void {
  error.killing = kill.then((ids) => {
    error.killedJobs.push(...ids)
    return ids
  })
}
