import type { Socket } from "node:net";
import type { ExitInfo } from "../process/managed-process.js";
import { crashReport, signalProcessGroup, stopProcessGroup } from "../process/process-group.js";
import type { WorkerProcess, WorkerReady } from "./worker-process.js";

const CRASH_LINES = 5;

/**
 * A worker forked by a zygote. The client's connection to it is its stdin and stdout:
 * ending the connection is the stdin EOF that stops it. It leads its own process group, so
 * signals reach it by its pid as they reach a spawned worker. Its stderr is the zygote's:
 * `stderr` picks its own lines out of the zygote's last ones.
 */
export class ForkedWorker implements WorkerProcess {
  private exitInfo: ExitInfo | undefined;
  readonly exited: Promise<ExitInfo>;

  constructor(
    readonly name: string,
    readonly ready: WorkerReady,
    private readonly connection: Socket,
    exit: Promise<ExitInfo>,
    private readonly stderr: () => readonly string[],
  ) {
    this.exited = exit.then((info) => {
      this.exitInfo = info;
      return info;
    });
  }

  get pid(): number {
    return this.ready.pid;
  }

  get alive(): boolean {
    return this.exitInfo === undefined;
  }

  describeExit(): string {
    const info = this.exitInfo;
    if (!info) return "still running";
    if (info.signal) return `killed by ${info.signal}`;
    return info.code === null ? "exited (its zygote is gone, so its code is unknown)" : `exited with code ${info.code}`;
  }

  /** "killed by SIGKILL" plus its last log lines, from the zygote's stderr. */
  describeCrash(): string {
    return crashReport(this.describeExit(), this.name, this.stderr().slice(-CRASH_LINES).join("\n"));
  }

  signalGroup(signal: NodeJS.Signals): void {
    if (this.alive) signalProcessGroup(this.pid, signal);
  }

  /** Stdin EOF and SIGTERM, then SIGKILL after `killAfterMs`. Resolves once it has exited. */
  async stop(killAfterMs: number): Promise<void> {
    if (!this.alive) return;
    this.connection.end();
    await stopProcessGroup((signal) => this.signalGroup(signal), this.exited, killAfterMs);
  }
}
