import { join } from "node:path";
import type { Logger } from "../options.js";
import { ManagedProcess } from "../process/managed-process.js";
import { explainStartupError } from "./startup-error.js";
import { explainMissingWorker, type WorkerCommand } from "./worker-command.js";

export const READY_PREFIX = "DSPY_CONNECT_READY ";
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
  readonly python: WorkerCommand;
  readonly slot: string;
  readonly runId: string;
  readonly runDir: string;
  readonly lm: string | undefined;
  readonly maxConcurrency: number;
  readonly imports: readonly string[];
  /** Absolute folders searched first for `imports`. */
  readonly pythonPath: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly startupTimeoutMs: number;
  readonly logger: Logger;
}

export interface WorkerReady {
  readonly address: string;
  readonly pid: number;
  readonly worker_id: string;
  readonly version: string;
}

export type WorkerProcess = ManagedProcess<WorkerReady>;

/** Spawns `python -m dspy_connect.worker` on a socket in the run's private folder. */
export async function spawnWorker(opts: SpawnOptions): Promise<WorkerProcess> {
  const socketPath = join(opts.runDir, `${opts.slot}.sock`);
  const [command, ...prefix] = opts.python.argv as [string, ...string[]];
  return ManagedProcess.spawn<WorkerReady>({
    name: `worker ${opts.slot}`,
    command,
    args: [
      ...prefix,
      "-m",
      "dspy_connect.worker",
      "--uds",
      socketPath,
      "--worker-id",
      opts.slot,
      "--run-id",
      opts.runId,
      "--max-concurrency",
      String(opts.maxConcurrency),
      "--exit-with-stdin",
      ...(opts.lm ? ["--lm", opts.lm] : []),
      ...opts.pythonPath.flatMap((folder) => ["--python-path", folder]),
      ...opts.imports.flatMap((m) => ["--import", m]),
    ],
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
