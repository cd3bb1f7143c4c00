import { writeFileSync } from "node:fs";
import { createConnection, type Socket } from "node:net";
import { constants } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { Code } from "../errors.js";
import { childEnvironment, type ExitInfo, ManagedProcess } from "../process/managed-process.js";
import { type Env, envDiff } from "./env-diff.js";
import { forkError } from "./fork-error.js";
import { ForkedWorker } from "./forked-worker.js";
import {
  type PoolProcessOptions,
  poolArgs,
  READY_PREFIX,
  type SpawnOptions,
  WORKER_ENV,
  type WorkerReady,
  workerArgs,
} from "./worker-process.js";

export const ZYGOTE_READY_PREFIX = "DSPY_CONNECT_ZYGOTE_READY ";
const EXIT_PREFIX = "DSPY_CONNECT_ZYGOTE_EXIT ";
const ERROR_PREFIX = "DSPY_CONNECT_ZYGOTE_ERROR ";
const FORKED_PREFIX = "DSPY_CONNECT_ZYGOTE_FORKED ";
// A child's connection closes a moment before the zygote reaps it and reports its code.
const EXIT_REPORT_GRACE_MS = 1_000;

interface ZygoteReady {
  readonly pid: number;
  readonly control: string;
}

/**
 * A warm Python process that forks workers ready to serve (docs/zygote-design.md): one per
 * pool, started with the pool's options, so a fork request carries only what a worker's
 * own command line would.
 */
export class Zygote {
  private readonly exits = new Map<number, (info: ExitInfo) => void>();

  private constructor(
    private readonly opts: PoolProcessOptions,
    readonly process: ManagedProcess<ZygoteReady>,
    private readonly startEnv: Env,
  ) {}

  static async start(opts: PoolProcessOptions): Promise<Zygote> {
    const [command, ...prefix] = opts.python.argv as [string, ...string[]];
    let zygote: Zygote | undefined;
    const env = { ...WORKER_ENV, ...opts.env };
    const startEnv = childEnvironment(env);
    const child = await ManagedProcess.spawn<ZygoteReady>({
      name: "zygote",
      command,
      args: [
        ...prefix,
        "-m",
        "dspy_connect.worker.zygote",
        "--control",
        join(opts.runDir, "zygote.sock"),
        "--exit-with-stdin",
        ...poolArgs(opts),
      ],
      env,
      readyPrefix: ZYGOTE_READY_PREFIX,
      startupTimeoutMs: opts.startupTimeoutMs,
      pidFile: join(opts.runDir, "zygote.pid"),
      onStdoutLine: (line) => zygote?.onLine(line),
      logger: opts.logger,
    });
    zygote = new Zygote(opts, child, startEnv);
    return zygote;
  }

  get pid(): number {
    return this.process.pid;
  }

  get alive(): boolean {
    return this.process.alive;
  }

  /** Forks a worker and resolves once it has printed its ready line; rejects with a forkError. */
  async fork(worker: SpawnOptions): Promise<ForkedWorker> {
    const connection = createConnection(this.process.ready.control);
    // The client's environment as it is now, as a spawned worker would get it.
    const { env, unset } = envDiff(this.startEnv, childEnvironment({ ...WORKER_ENV, ...worker.env }));
    connection.write(`${JSON.stringify({ argv: workerArgs(worker), env, unset })}\n`);
    const ready = await this.readyOf(connection, worker);
    connection.unref(); // like a spawned worker's pipes: a forgotten close() must not hold Node open
    writeFileSync(join(this.opts.runDir, `${worker.slot}.pid`), String(ready.pid));
    const ownLines = ` ${worker.slot} `; // its log lines carry its id (it shares the zygote's stderr)
    const stderr = () => this.process.stderrLines().filter((line) => line.includes(ownLines));
    return new ForkedWorker(`worker ${worker.slot}`, ready, connection, this.exitOf(ready.pid, connection), stderr);
  }

  stop(killAfterMs: number): Promise<void> {
    return this.process.stop(killAfterMs);
  }

  private readyOf(connection: Socket, worker: SpawnOptions): Promise<WorkerReady> {
    return new Promise<WorkerReady>((resolve, reject) => {
      let settled = false;
      let forked: number | undefined; // the child's pid, told before its ready line
      const settle = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        outcome();
      };
      const fail = (message: string, code: Code, zygoteAtFault: boolean) =>
        settle(() => {
          connection.destroy();
          if (forked) killGroup(forked); // hung before its ready line: it never reads its stdin
          reject(forkError(`worker ${worker.slot}${forked ? ` (pid ${forked})` : ""}: ${message}`, code, { zygoteAtFault, pid: forked }));
        });
      const timer = setTimeout(
        () => fail(`not ready within ${worker.startupTimeoutMs} ms of its fork`, Code.DeadlineExceeded, false),
        worker.startupTimeoutMs,
      );
      // "on": a socket may emit more than one error (connect, then write), and any later one too.
      connection.on("error", (error) => fail(`cannot reach the zygote: ${error.message}`, Code.Unavailable, true));
      connection.once("close", () => fail("the forked worker closed before it was ready", Code.Unavailable, !this.alive));
      // readline forwards its input's errors: handled above, so not thrown from here.
      const lines = createInterface({ input: connection }).on("error", () => {});
      lines.on("line", (line) => {
        if (line.startsWith(READY_PREFIX)) settle(() => resolve(JSON.parse(line.slice(READY_PREFIX.length)) as WorkerReady));
        else if (line.startsWith(FORKED_PREFIX)) forked = (JSON.parse(line.slice(FORKED_PREFIX.length)) as { pid: number }).pid;
        else if (line.startsWith(ERROR_PREFIX)) fail(`the zygote refused: ${line.slice(ERROR_PREFIX.length)}`, Code.Internal, true);
        else this.opts.logger.debug?.(`[worker ${worker.slot}] ${line}`);
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

/** SIGKILL to a forked child's group, or to the child alone if it has not called setsid() yet. */
function killGroup(pid: number): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, "SIGKILL");
    } catch {
      // ESRCH: gone, or no group of its own yet
    }
  }
}

function signalName(signal: number): NodeJS.Signals | null {
  const entry = Object.entries(constants.signals).find(([, n]) => n === signal);
  return (entry?.[0] as NodeJS.Signals | undefined) ?? null;
}
