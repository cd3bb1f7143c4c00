import { writeFileSync } from "node:fs";
import { createConnection, type Socket } from "node:net";
import { constants } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { Code, ConnectError } from "../errors.js";
import type { Logger } from "../options.js";
import { type ExitInfo, ManagedProcess } from "../process/managed-process.js";
import { ForkedWorker } from "./forked-worker.js";
import type { WorkerCommand } from "./worker-command.js";
import { READY_PREFIX, type WorkerReady } from "./worker-process.js";

// A sketch of the client side of docs/zygote-design.md: not used by the pool yet.

export const ZYGOTE_READY_PREFIX = "DSPY_CONNECT_ZYGOTE_READY ";
const EXIT_PREFIX = "DSPY_CONNECT_ZYGOTE_EXIT ";
const ERROR_PREFIX = "DSPY_CONNECT_ZYGOTE_ERROR ";
// A child's connection closes a moment before the zygote reaps it and reports its code.
const EXIT_REPORT_GRACE_MS = 1_000;

export interface ZygoteOptions {
  readonly python: WorkerCommand;
  readonly runId: string;
  readonly runDir: string;
  readonly lm: string | undefined;
  readonly imports: readonly string[];
  readonly pythonPath: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly startupTimeoutMs: number;
  readonly logger: Logger;
}

export interface ForkOptions {
  readonly slot: string;
  readonly maxConcurrency: number;
  readonly startupTimeoutMs: number;
}

interface ZygoteReady {
  readonly pid: number;
  readonly control: string;
}

/** One per pool: a warm Python process that forks workers ready to serve. */
export class Zygote {
  private readonly exits = new Map<number, (info: ExitInfo) => void>();
  private process!: ManagedProcess<ZygoteReady>;

  private constructor(private readonly opts: ZygoteOptions) {}

  static async start(opts: ZygoteOptions): Promise<Zygote> {
    const zygote = new Zygote(opts);
    const [command, ...prefix] = opts.python.argv as [string, ...string[]];
    zygote.process = await ManagedProcess.spawn<ZygoteReady>({
      name: "zygote",
      command,
      args: [
        ...prefix,
        "-m",
        "dspy_connect.worker.zygote",
        "--control",
        join(opts.runDir, "zygote.sock"),
        "--exit-with-stdin",
        "--run-id",
        opts.runId,
        ...(opts.lm ? ["--lm", opts.lm] : []),
        ...opts.pythonPath.flatMap((folder) => ["--python-path", folder]),
        ...opts.imports.flatMap((m) => ["--import", m]),
      ],
      env: opts.env,
      readyPrefix: ZYGOTE_READY_PREFIX,
      startupTimeoutMs: opts.startupTimeoutMs,
      pidFile: join(opts.runDir, "zygote.pid"),
      onStdoutLine: (line) => zygote.onLine(line),
      logger: opts.logger,
    });
    return zygote;
  }

  get alive(): boolean {
    return this.process.alive;
  }

  /** Forks a worker and resolves once it has printed its ready line. */
  async fork(fork: ForkOptions): Promise<ForkedWorker> {
    const argv = ["--uds", join(this.opts.runDir, `${fork.slot}.sock`), "--worker-id", fork.slot];
    argv.push("--max-concurrency", String(fork.maxConcurrency), "--exit-with-stdin");
    const connection = createConnection(this.process.ready.control);
    connection.write(`${JSON.stringify({ argv, env: {} })}\n`);
    const ready = await this.readyOf(connection, fork);
    connection.unref(); // like a spawned worker's pipes: a forgotten close() must not hold Node open
    writeFileSync(join(this.opts.runDir, `${fork.slot}.pid`), String(ready.pid));
    return new ForkedWorker(`worker ${fork.slot}`, ready, connection, this.exitOf(ready.pid, connection));
  }

  stop(killAfterMs: number): Promise<void> {
    return this.process.stop(killAfterMs);
  }

  private readyOf(connection: Socket, fork: ForkOptions): Promise<WorkerReady> {
    const lines = createInterface({ input: connection });
    return new Promise<WorkerReady>((resolve, reject) => {
      let settled = false;
      const settle = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        outcome();
      };
      const fail = (message: string, code: Code) =>
        settle(() => {
          connection.destroy();
          reject(new ConnectError(`worker ${fork.slot}: ${message}`, code));
        });
      const timer = setTimeout(() => fail(`not ready within ${fork.startupTimeoutMs} ms`, Code.DeadlineExceeded), fork.startupTimeoutMs);
      connection.once("error", (error) => fail(`cannot reach the zygote: ${error.message}`, Code.Unavailable));
      connection.once("close", () => fail("the forked worker closed before it was ready", Code.Unavailable));
      lines.on("line", (line) => {
        if (line.startsWith(READY_PREFIX)) settle(() => resolve(JSON.parse(line.slice(READY_PREFIX.length)) as WorkerReady));
        else if (line.startsWith(ERROR_PREFIX)) fail(`the zygote refused: ${line.slice(ERROR_PREFIX.length)}`, Code.Internal);
        else this.opts.logger.debug?.(`[worker ${fork.slot}] ${line}`);
      });
    });
  }

  private exitOf(pid: number, connection: Socket): Promise<ExitInfo> {
    return new Promise<ExitInfo>((resolve) => {
      this.exits.set(pid, resolve);
      connection.once("close", () => {
        // Without its zygote, nobody reaps the child or knows its code.
        setTimeout(() => this.report(pid, { code: null, signal: null }), this.alive ? EXIT_REPORT_GRACE_MS : 0).unref();
      });
    });
  }

  private onLine(line: string): void {
    if (!line.startsWith(EXIT_PREFIX)) {
      this.opts.logger.debug?.(`[zygote] ${line}`);
      return;
    }
    const { pid, code } = JSON.parse(line.slice(EXIT_PREFIX.length)) as { pid: number; code: number };
    this.report(pid, code < 0 ? { code: null, signal: signalName(-code) } : { code, signal: null });
  }

  private report(pid: number, info: ExitInfo): void {
    const resolve = this.exits.get(pid);
    this.exits.delete(pid);
    resolve?.(info);
  }
}

function signalName(signal: number): NodeJS.Signals | null {
  const entry = Object.entries(constants.signals).find(([, n]) => n === signal);
  return (entry?.[0] as NodeJS.Signals | undefined) ?? null;
}
