import { join } from "node:path";
import type { Logger } from "../options.js";
import { type ExitInfo, ManagedProcess } from "../process/managed-process.js";
import { explainStartupError } from "./startup-error.js";
import { explainMissingWorker, type WorkerCommand } from "./worker-command.js";

export const READY_PREFIX = "DSPY_CONNECT_READY ";
// Native thread pools capped per worker, so N workers don't start N x cores threads;
// LiteLLM kept from fetching its cost map over the network.
export const WORKER_ENV = {
  LITELLM_LOCAL_MODEL_COST_MAP: "True",
  OMP_NUM_THREADS: "1",
  OPENBLAS_NUM_THREADS: "1",
  MKL_NUM_THREADS: "1",
  NUMEXPR_NUM_THREADS: "1",
  VECLIB_MAXIMUM_THREADS: "1",
  RAYON_NUM_THREADS: "1",
  TOKENIZERS_PARALLELISM: "false",
};

/** What every local worker of a pool shares (a zygote is started with it too). */
export interface PoolProcessOptions {
  readonly python: WorkerCommand;
  readonly runId: string;
  readonly runDir: string;
  readonly lm: string | undefined;
  readonly imports: readonly string[];
  /** Absolute folders searched first for `imports`. */
  readonly pythonPath: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly startupTimeoutMs: number;
  readonly logger: Logger;
}

export interface SpawnOptions extends PoolProcessOptions {
  readonly slot: string;
  readonly maxConcurrency: number;
}

export interface WorkerReady {
  readonly address: string;
  readonly pid: number;
  readonly worker_id: string;
  readonly version: string;
}

/**
 * A running worker, spawned (a ManagedProcess) or forked by a zygote (a ForkedWorker): the
 * pool treats both alike. It leads its own process group and exits when the client goes.
 */
export interface WorkerProcess {
  readonly name: string;
  readonly ready: WorkerReady;
  readonly pid: number;
  readonly alive: boolean;
  readonly exited: Promise<ExitInfo>;
  /** "killed by SIGKILL", "exited with code 1". */
  describeExit(): string;
  /** describeExit() and the last lines the worker wrote to stderr, for a restart warning. */
  describeCrash(): string;
  signalGroup(signal: NodeJS.Signals): void;
  /** Stdin EOF and SIGTERM, then SIGKILL after `killAfterMs`; resolves once it has exited. */
  stop(killAfterMs: number): Promise<void>;
}

/** The options every worker of the pool gets, on its command line or in a fork request. */
export function poolArgs(opts: PoolProcessOptions): string[] {
  return [
    "--run-id",
    opts.runId,
    ...(opts.lm ? ["--lm", opts.lm] : []),
    ...opts.pythonPath.flatMap((folder) => ["--python-path", folder]),
    ...opts.imports.flatMap((m) => ["--import", m]),
  ];
}

/** A worker's own options plus the pool's: `python -m dspy_connect.worker` takes these. */
export function workerArgs(opts: SpawnOptions): string[] {
  return [
    "--uds",
    join(opts.runDir, `${opts.slot}.sock`),
    "--worker-id",
    opts.slot,
    "--max-concurrency",
    String(opts.maxConcurrency),
    "--exit-with-stdin",
    ...poolArgs(opts),
  ];
}

/** Spawns `python -m dspy_connect.worker` on a socket in the run's private folder. */
export async function spawnWorker(opts: SpawnOptions): Promise<WorkerProcess> {
  const [command, ...prefix] = opts.python.argv as [string, ...string[]];
  return ManagedProcess.spawn<WorkerReady>({
    name: `worker ${opts.slot}`,
    command,
    args: [...prefix, "-m", "dspy_connect.worker", ...workerArgs(opts)],
    env: { ...WORKER_ENV, ...opts.env },
    readyPrefix: READY_PREFIX,
    startupTimeoutMs: opts.startupTimeoutMs,
    pidFile: join(opts.runDir, `${opts.slot}.pid`),
    logger: opts.logger,
  }).catch((error: unknown) => {
    throw explainStartupError(explainMissingWorker(error, opts.python), opts.slot);
  });
}

/** The socket path from a ready payload ("unix:/path"). */
export function socketPathOf(worker: WorkerProcess): string {
  return worker.ready.address.replace(/^unix:/, "");
}
