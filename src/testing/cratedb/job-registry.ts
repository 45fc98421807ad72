import { randomUUID } from 'node:crypto'
import { CrateError } from './crate-error.ts'

/** A statement being executed (or waiting for the engine) — what `sys.jobs` lists and KILL cancels. */
export interface Job {
  /** Job id (UUID), as `sys.jobs.id`. */
  readonly id: string
  readonly stmt: string
  readonly username: string
  readonly sessionId: string
  readonly node: { readonly id: string; readonly name: string }
  /** Epoch ms when the request arrived. */
  readonly started: number
  /** `true` once the job holds the engine (it can no longer be interrupted). */
  running: boolean
  /** Set by KILL while the job waits for the engine. */
  killed: boolean
}

/**
 * The error a killed job fails with (https://cratedb.com/docs/crate/reference/en/latest/sql/statements/kill.html;
 * crate/crate `server/src/main/java/io/crate/rest/action/HttpErrorStatus.java`: 5005 → 500).
 */
export function jobKilled(): CrateError {
  return new CrateError('JobKilledException', 'Job killed. KILL statement executed', 5005)
}

/**
 * The jobs of one store. Jobs that still wait for the engine when KILL arrives fail with `JobKilledException`
 * (500/5005); a job already executing inside PGlite cannot be interrupted (the engine runs synchronously on the
 * event loop) and finishes, but is counted by KILL.
 */
export class JobRegistry {
  readonly #jobs = new Map<string, Job>()

  /** Registers a job for a statement. */
  start(stmt: string, username: string, sessionId: string, node: { id: string; name: string }): Job {
    const job: Job = { id: randomUUID(), stmt, username, sessionId, node, started: Date.now(), running: false, killed: false }
    this.#jobs.set(job.id, job)
    return job
  }

  /** Removes a finished job. */
  finish(job: Job): void {
    this.#jobs.delete(job.id)
  }

  /** Every registered job. */
  list(): Job[] {
    return [...this.#jobs.values()]
  }

  /**
   * Kills every job except `self` (KILL ALL) or the job with id `jobId` (KILL '<id>').
   * @returns how many jobs were found and marked killed.
   */
  kill(self: Job, jobId: string | undefined): number {
    let count = 0
    for (const job of this.#jobs.values()) {
      if (job === self || (jobId !== undefined && job.id !== jobId)) continue
      job.killed = true
      count++
    }
    return count
  }
}
