import { readFileSync } from "node:fs";

const TICKS_PER_SECOND = 100; // USER_HZ: 100 on every Linux ABI Node supports

/**
 * CPU time (user + system, in ms) a process has used so far, from /proc; undefined where
 * /proc is missing (macOS) or the process is gone.
 */
export function cpuTimeMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
    return Number.isFinite(ticks) ? (ticks * 1000) / TICKS_PER_SECOND : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Watches whether a process is doing work: a worker that fails health checks while it burns
 * CPU is busy (a long GIL hold), not dead.
 */
export class CpuProgress {
  private last: { cpu: number; at: number } | undefined;

  constructor(private readonly pid: number) {}

  /** The share of one core used since the previous sample (0 on the first). */
  sample(): number | undefined {
    const cpu = cpuTimeMs(this.pid);
    if (cpu === undefined) return undefined;
    const at = performance.now();
    const previous = this.last;
    this.last = { cpu, at };
    return previous && at > previous.at ? (cpu - previous.cpu) / (at - previous.at) : 0;
  }
}
