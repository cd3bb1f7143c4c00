/** Sends a signal to a whole process group (a worker and anything it started). */
export function signalProcessGroup(pid: number, signal: NodeJS.Signals): void {
  if (pid <= 0) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

/** SIGTERM, then SIGKILL after `killAfterMs`; resolves once exited, then SIGKILLs what is left (grandchildren that ignored SIGTERM). */
export async function stopProcessGroup(
  signalGroup: (signal: NodeJS.Signals) => void,
  exited: Promise<unknown>,
  killAfterMs: number,
): Promise<void> {
  signalGroup("SIGTERM");
  const timer = setTimeout(() => signalGroup("SIGKILL"), killAfterMs);
  await exited;
  clearTimeout(timer);
  signalGroup("SIGKILL");
}

/** "killed by SIGKILL" plus the process's last stderr lines, for a restart warning. */
export function crashReport(exit: string, name: string, stderrTail: string): string {
  return `${exit}${stderrTail ? `\n--- last stderr of ${name} ---\n${stderrTail}` : ""}`;
}
