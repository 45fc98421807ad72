/**
 * The machine a benchmark ran on, for the report's header.
 */
import { readFileSync } from 'node:fs'
import { availableParallelism, loadavg } from 'node:os'

/** The CPU model from /proc/cpuinfo, or `'unknown'` (not Linux). */
export function cpuModel(): string {
  try {
    return /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? 'unknown'
  } catch {
    return 'unknown'
  }
}

/** The machine's 1-minute load average. */
export function loadAverage(): number {
  return loadavg()[0]!
}

/** Date, CPUs and Node.js version of a run. */
export interface MachineInfo {
  /** ISO timestamp of the report. */
  date: string
  cpus: number
  cpuModel: string
  /** `process.version`. */
  node: string
}

/** The {@link MachineInfo} of this process, now. */
export function machineInfo(): MachineInfo {
  return { date: new Date().toISOString(), cpus: availableParallelism(), cpuModel: cpuModel(), node: process.version }
}

/**
 * The report's date, machine and load-average lines (markdown list items); the load at the end is read now.
 */
export function machineLines(machine: MachineInfo, loadStart: number): string[] {
  return [
    `- Date: ${machine.date}`,
    `- Machine: ${machine.cpus} CPUs, ${machine.cpuModel} (server and client share them; clients run one at a time)`,
    `- Machine load average (1 min) at start / end: ${loadStart.toFixed(2)} / ${loadAverage().toFixed(2)}`,
  ]
}
