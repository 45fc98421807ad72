import { randomUUID } from 'node:crypto'
import { sleep } from '../core/abort.ts'

/**
 * Server-side cancellation of a statement over HTTP.
 *
 * CrateDB's `_sql` endpoint does not tell the client a statement's job id, and closing the connection does not
 * stop the job (the HTTP handler only closes the session, which leaves running statements alone; checked in
 * crate/crate `SqlHttpHandler`, `HttpHandler.channelUnregistered`, `Session.close`). `KILL ALL` would stop every
 * job of the user, including other clients'. So a statement that may be cancelled (it has a timeout or a signal)
 * is sent with a unique comment in front, `/* dialectry:<uuid> *\/ SELECT ...`. CrateDB logs the statement text
 * verbatim in `sys.jobs.stmt` (`Session.parse` → `JobsLogs.logExecutionStart`), so on cancellation the driver
 * looks the job up by that prefix and kills exactly it with `KILL ?`. The lookup passes the prefix as an argument,
 * so the lookup's own `stmt` does not match itself.
 *
 * Limits: a statement that finished (or has not been planned yet) when the lookup runs is not found; the lookup is
 * repeated a few times over ~0.5 s to cover a request still in transit. Killing needs CrateDB 4.3+ for non-superusers
 * (own jobs only). A killed write may already have changed some rows: CrateDB has no rollback
 * (https://cratedb.com/docs/crate/reference/en/latest/appendices/compatibility.html#appendix-compat-transactions).
 */

const TAG_HEAD = '/* dialectry:'

/** A fresh tag for one statement. */
export function newJobTag(): string {
  return randomUUID()
}

/** `sql` with the tag comment in front. */
export function tagStatement(sql: string, tag: string): string {
  return `${TAG_HEAD}${tag} */ ${sql}`
}

/** The `sys.jobs` lookup: statement and argument. */
export const JOB_LOOKUP_SQL = 'SELECT id FROM sys.jobs WHERE stmt LIKE ?'

/** The LIKE pattern that finds a tagged statement. */
export function jobLookupPattern(tag: string): string {
  return `${TAG_HEAD}${tag} */%`
}

/** The statement that kills one job by id. */
export const KILL_JOB_SQL = 'KILL ?'

/** Delays (ms) before each lookup attempt. */
const LOOKUP_DELAYS = [0, 50, 150, 300]

/**
 * Finds the jobs running the statement tagged `tag` and kills them. `run` executes one internal statement and
 * returns its rows. Resolves with the killed job ids (empty when none was running); never rejects.
 */
export async function killTaggedJobs(tag: string, run: (sql: string, args: unknown[]) => Promise<unknown[][]>): Promise<string[]> {
  const pattern = jobLookupPattern(tag)
  for (const delay of LOOKUP_DELAYS) {
    if (delay > 0) await sleep(delay)
    let ids: string[]
    try {
      ids = (await run(JOB_LOOKUP_SQL, [pattern])).map((r) => String(r[0]))
    } catch {
      return []
    }
    if (ids.length === 0) continue
    const killed: string[] = []
    for (const id of ids) {
      try {
        await run(KILL_JOB_SQL, [id])
        killed.push(id)
      } catch {
        // Finished in the meantime, or not ours to kill.
      }
    }
    return killed
  }
  return []
}
