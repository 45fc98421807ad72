/**
 * CPU time of another process (a server under load), read from Linux's /proc.
 */
import { readdirSync, readFileSync } from 'node:fs'

/**
 * CPU seconds of a process: all threads, and its main thread (TX for Tarantool). Reads each thread's
 * `schedstat` (nanoseconds on CPU); zeros where /proc is missing (not Linux, remote server).
 */
export function processCpuSeconds(pid: number): { total: number; main: number } {
  let total = 0
  let main = 0
  let tasks: string[]
  try {
    tasks = readdirSync(`/proc/${pid}/task`)
  } catch {
    return { total: 0, main: 0 }
  }
  for (const task of tasks) {
    let schedstat: string
    try {
      schedstat = readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8')
    } catch {
      continue // the thread exited
    }
    const seconds = Number(schedstat.split(' ')[0]) / 1e9
    total += seconds
    if (task === String(pid)) main = seconds
  }
  return { total, main }
}
