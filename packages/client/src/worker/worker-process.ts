import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { Code, ConnectError } from "../errors.js";
import type { Logger } from "../options.js";

export const READY_PREFIX = "DSPY_CONNECT_READY ";
const STDERR_TAIL_LINES = 40;
// Native thread pools capped per worker, so N workers don't start N x cores threads;
// LiteLLM kept from fetching its cost map over the network.
const WORKER_ENV = {
  LITELLM_LOCAL_MODEL_COST_MAP: "True",
  OMP_NUM_THREADS: "1",
  OPENBLAS_NUM_THREADS: "1",
  MKL_NUM_THREADS: "1",
  NUMEXPR_NUM_THREADS: "1",
  VECLIB_MAXIMUM_THREADS: "1",
  RAYON_NUM_THREADS: "1",
  TOKENIZERS_PARALLELISM: "false",
};

export interface SpawnOptions {
  readonly python: string;
  readonly slot: string;
  readonly runId: string;
  readonly runDir: string;
  readonly lm: string | undefined;
  readonly maxConcurrency: number;
  readonly imports: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly startupTimeoutMs: number;
  readonly logger: Logger;
}

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** One running `python -m dspy_connect.worker` process, in its own process group. */
export class WorkerProcess {
  readonly exited: Promise<ExitInfo>;
  private readonly tail: string[] = [];
  private exitInfo: ExitInfo | undefined;

  private constructor(
    readonly child: ChildProcess,
    readonly socketPath: string,
    readonly slot: string,
  ) {
    this.exited = new Promise((resolve) =>
      child.once("exit", (code, signal) => {
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      }),
    );
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get alive(): boolean {
    return this.exitInfo === undefined;
  }

  /** The last lines the worker wrote to stderr, for error messages. */
  stderrTail(): string {
    return this.tail.join("\n");
  }

  describeExit(): string {
    const info = this.exitInfo;
    if (!info) return "still running";
    return info.signal ? `killed by ${info.signal}` : `exited with code ${info.code}`;
  }

  /** Sends a signal to the worker's whole process group (it and anything it started). */
  signalGroup(signal: NodeJS.Signals): void {
    if (!this.alive || this.pid <= 0) return;
    try {
      process.kill(-this.pid, signal);
    } catch {
      // ESRCH: the group is already gone.
    }
  }

  /** SIGTERM, then SIGKILL after `killAfterMs`. Resolves once the process has exited. */
  async stop(killAfterMs: number): Promise<void> {
    if (!this.alive) return;
    this.child.stdin?.end();
    this.signalGroup("SIGTERM");
    const timer = setTimeout(() => this.signalGroup("SIGKILL"), killAfterMs);
    await this.exited;
    clearTimeout(timer);
    this.signalGroup("SIGKILL"); // grandchildren that ignored SIGTERM
  }

  static async spawn(opts: SpawnOptions): Promise<WorkerProcess> {
    const socketPath = join(opts.runDir, `${opts.slot}.sock`);
    const args = [
      "-m", "dspy_connect.worker",
      "--uds", socketPath,
      "--worker-id", opts.slot,
      "--run-id", opts.runId,
      "--max-concurrency", String(opts.maxConcurrency),
      "--exit-with-stdin",
      ...(opts.lm ? ["--lm", opts.lm] : []),
      ...opts.imports.flatMap((m) => ["--import", m]),
    ];
    const child = spawn(opts.python, args, {
      // Its own process group: close() signals the group, and Ctrl-C in a terminal
      // reaches Node only, which then shuts workers down in order.
      detached: true,
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, ...WORKER_ENV, PYTHONUNBUFFERED: "1", ...opts.env },
    });
    const worker = new WorkerProcess(child, socketPath, opts.slot);
    child.on("error", () => {}); // reported through `exited` / the ready promise
    if (child.pid) writeFileSync(join(opts.runDir, `${opts.slot}.pid`), String(child.pid));
    // Workers must not keep a script alive that forgot close(); they exit on stdin EOF.
    child.unref();
    for (const stream of [child.stdin, child.stdout, child.stderr]) {
      (stream as unknown as { unref?: () => void } | null)?.unref?.();
    }
    createInterface({ input: child.stderr! }).on("line", (line) => {
      worker.tail.push(line);
      if (worker.tail.length > STDERR_TAIL_LINES) worker.tail.shift();
      opts.logger.debug?.(`[${opts.slot}] ${line}`);
    });
    await worker.waitReady(opts);
    return worker;
  }

  private waitReady(opts: SpawnOptions): Promise<void> {
    const stdout = createInterface({ input: this.child.stdout! });
    let settled = false;
    return new Promise<void>((resolve, reject) => {
      const fail = (message: string, code: Code) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.signalGroup("SIGKILL");
        const tail = this.stderrTail();
        reject(new ConnectError(`${message}${tail ? `\n--- worker stderr ---\n${tail}` : ""}`, code));
      };
      const timer = setTimeout(
        () => fail(`worker ${this.slot} was not ready within ${opts.startupTimeoutMs} ms`, Code.DeadlineExceeded),
        opts.startupTimeoutMs,
      );
      this.child.once("error", (err) => fail(`cannot start worker with ${opts.python}: ${err.message}`, Code.FailedPrecondition));
      void this.exited.then(() =>
        fail(`worker ${this.slot} ${this.describeExit()} before it was ready`, Code.Unavailable),
      );
      stdout.on("line", (line) => {
        if (line.startsWith(READY_PREFIX) && !settled) {
          settled = true;
          clearTimeout(timer);
          resolve();
        } else {
          opts.logger.debug?.(`[${opts.slot}] ${line}`);
        }
      });
    });
  }
}
