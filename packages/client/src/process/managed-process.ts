import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { Code, ConnectError } from "../errors.js";
import type { Logger } from "../options.js";
import { crashReport, signalProcessGroup, stopProcessGroup } from "./process-group.js";

const STDERR_TAIL_LINES = 40;

export interface ManagedSpawnOptions {
  /** Shown in logs and errors: "w0", "local-lm". */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The stdout line prefix that carries the JSON ready payload. */
  readonly readyPrefix: string;
  readonly startupTimeoutMs: number;
  /** Where to record the pid, so a later run can sweep an orphan. */
  readonly pidFile?: string;
  /** Every other stdout line, for a process that reports more than its readiness (a zygote). */
  readonly onStdoutLine?: (line: string) => void;
  readonly logger: Logger;
}

/** The environment a child starts with: the client's as it is now, then the child's own. */
export function childEnvironment(own: Readonly<Record<string, string | undefined>>): Record<string, string | undefined> {
  return { ...process.env, PYTHONUNBUFFERED: "1", ...own };
}

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/**
 * A child process in its own process group that prints one ready line. It exits when its
 * stdin closes (so it dies with Node), and stop() signals its whole group.
 */
export class ManagedProcess<Ready = unknown> {
  readonly exited: Promise<ExitInfo>;
  private exitInfo: ExitInfo | undefined;

  private constructor(
    readonly child: ChildProcess,
    readonly name: string,
    readonly ready: Ready,
    private readonly tail: readonly string[],
  ) {
    this.exited = new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) {
        this.exitInfo = { code: child.exitCode, signal: child.signalCode };
        resolve(this.exitInfo);
      } else {
        child.once("exit", (code, signal) => {
          this.exitInfo = { code, signal };
          resolve(this.exitInfo);
        });
      }
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get alive(): boolean {
    return this.exitInfo === undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  describeExit(): string {
    const code = this.exitInfo?.code ?? this.child.exitCode;
    const signal = this.exitInfo?.signal ?? this.child.signalCode;
    if (code === null && signal === null) return "still running";
    return signal ? `killed by ${signal}` : `exited with code ${code}`;
  }

  /** The last lines the process wrote to stderr (up to STDERR_TAIL_LINES), oldest first. */
  stderrLines(): readonly string[] {
    return [...this.tail];
  }

  /** The last lines the process wrote to stderr, for crash reports. */
  private stderrTail(lines = 5): string {
    return this.tail.slice(-lines).join("\n");
  }

  /** "exited with code 1" plus the last stderr lines, for a restart warning. */
  describeCrash(): string {
    return crashReport(this.describeExit(), this.name, this.stderrTail());
  }

  /** Sends a signal to the whole process group (the process and anything it started). */
  signalGroup(signal: NodeJS.Signals): void {
    if (this.alive) signalProcessGroup(this.pid, signal);
  }

  /** SIGTERM, then SIGKILL after `killAfterMs`. Resolves once the process has exited. */
  async stop(killAfterMs: number): Promise<void> {
    if (!this.alive) return;
    this.child.stdin?.end();
    await stopProcessGroup((signal) => this.signalGroup(signal), this.exited, killAfterMs);
  }

  /** Spawns the process and resolves with its ready payload, or rejects with its stderr tail. */
  static async spawn<Ready>(opts: ManagedSpawnOptions): Promise<ManagedProcess<Ready>> {
    const child = spawn(opts.command, opts.args, {
      // Its own process group: stop() signals the group, and Ctrl-C in a terminal reaches
      // Node only, which then shuts children down in order.
      detached: true,
      stdio: ["pipe", "pipe", "pipe"],
      env: childEnvironment(opts.env),
    });
    child.on("error", () => {}); // reported through the ready promise
    if (child.pid && opts.pidFile) writeFileSync(opts.pidFile, String(child.pid));
    // Children must not keep a script alive that forgot close(); they exit on stdin EOF.
    child.unref();
    for (const stream of [child.stdin, child.stdout, child.stderr]) {
      (stream as unknown as { unref?: () => void } | null)?.unref?.();
    }
    const tail: string[] = [];
    createInterface({ input: child.stderr! }).on("line", (line) => {
      tail.push(line);
      if (tail.length > STDERR_TAIL_LINES) tail.shift();
      opts.logger.debug?.(`[${opts.name}] ${line}`);
    });
    const ready = await waitReady<Ready>(child, tail, opts);
    return new ManagedProcess<Ready>(child, opts.name, ready, tail);
  }
}

function waitReady<Ready>(child: ChildProcess, tail: string[], opts: ManagedSpawnOptions): Promise<Ready> {
  const stdout = createInterface({ input: child.stdout! });
  let settled = false;
  return new Promise<Ready>((resolve, reject) => {
    const fail = (message: string, code: Code) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (child.pid) signalProcessGroup(child.pid, "SIGKILL");
      const stderr = tail.join("\n");
      reject(new ConnectError(`${message}${stderr ? `\n--- ${opts.name} stderr ---\n${stderr}` : ""}`, code));
    };
    const timer = setTimeout(
      () => fail(`${opts.name} was not ready within ${opts.startupTimeoutMs} ms`, Code.DeadlineExceeded),
      opts.startupTimeoutMs,
    );
    child.once("error", (err) => fail(`cannot start ${opts.name} with ${opts.command}: ${err.message}`, Code.FailedPrecondition));
    child.once("exit", (code, signal) => {
      // Let the last stderr lines arrive before reporting.
      setTimeout(
        () => fail(`${opts.name} ${signal ? `was killed by ${signal}` : `exited with code ${code}`} before it was ready`, Code.Unavailable),
        50,
      );
    });
    stdout.on("line", (line) => {
      if (line.startsWith(opts.readyPrefix) && !settled) {
        settled = true;
        clearTimeout(timer);
        resolve(JSON.parse(line.slice(opts.readyPrefix.length)) as Ready);
      } else if (opts.onStdoutLine) {
        opts.onStdoutLine(line);
      } else {
        opts.logger.debug?.(`[${opts.name}] ${line}`);
      }
    });
  });
}
