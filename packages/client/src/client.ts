import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import type { DescribeResponse } from "@dspy-connect/core-proto";
import { type CallResult, runCall } from "./call.js";
import { checkLmModel, lmModel, toLmConfig } from "./lm.js";
import { localLmServerEntry } from "./local-lm/load-local-lm.js";
import { LocalLmServer, type LocalLmStatus } from "./local-lm/local-lm-server.js";
import { ModuleCaller } from "./module-caller.js";
import type { ModuleDefinition } from "./module-spec.js";
import {
  type CallOptions,
  type ClientOptions,
  defaultLogger,
  type LmOption,
  type RemoteWorkerOptions,
  type RunOptions,
} from "./options.js";
import { POOL_DEFAULTS } from "./pool/defaults.js";
import { dnsWorkers, isDnsEntry } from "./pool/discovery/dns-source.js";
import { killOnExit, Pool, type PoolStats } from "./pool/pool.js";
import { LocalPoolWorker, type PoolWorker, RemotePoolWorker } from "./pool/pool-worker.js";
import { createRunDir, removeRunDir, runtimeBase, sweepOrphans } from "./pool/runtime-dir.js";
import { WorkerLauncher } from "./pool/worker-launcher.js";
import { ZygoteKeeper, type ZygoteStatus } from "./pool/zygote-keeper.js";
import type { LiveProcesses } from "./process/live-processes.js";
import { checkRetries } from "./retries.js";
import { openRun, type RunChannel, type RunStartInit, withDefaults } from "./run/open-run.js";
import { Session, type SessionOptions } from "./session/session.js";
import { checkLmEnvironment } from "./worker/lm-environment.js";
import { resolveWorkerCommand } from "./worker/worker-command.js";

export interface ClientStats extends PoolStats {
  /** The embedded local LM server, when the client runs one (lm: "local"). */
  readonly localLm?: {
    readonly status: LocalLmStatus;
    readonly restarts: number;
    readonly pid: number | undefined;
    readonly apiBase: string;
  };
  /** The pool's zygote, which forks warm local workers (unless `zygote: false`). */
  readonly zygote?: {
    readonly status: ZygoteStatus;
    readonly restarts: number;
    readonly pid: number | undefined;
  };
}

/**
 * Starts a pool of Python DSPy workers and resolves once every worker is ready: it has
 * printed its ready line, passed a health check and finished its warm-up (LiteLLM loaded,
 * one completion run), so the first call runs without waiting for it. Rejects with
 * FailedPrecondition when the LM lacks a key LiteLLM says it needs (named in the message).
 */
export function createClient(options: ClientOptions = {}): Promise<DspyClient> {
  return createClientWithLmOverride(options, process.env.DSPY_CONNECT_LM);
}

/**
 * createClient, with `lmOverride` in place of $DSPY_CONNECT_LM. The test client passes none:
 * a developer's or CI's DSPY_CONNECT_LM must not swap its scripted LM for a real one.
 * @internal
 */
export async function createClientWithLmOverride(options: ClientOptions, lmOverride: string | undefined): Promise<DspyClient> {
  const logger = options.logger ?? defaultLogger;
  const capacity = options.maxConcurrencyPerWorker ?? POOL_DEFAULTS.maxConcurrencyPerWorker;
  const remote = options.remote ?? [];
  const localCount = options.workers ?? (remote.length ? 0 : Math.min(2, availableParallelism()));
  // DSPY_CONNECT_LM lets operators switch models without a code change. With no LM chosen,
  // local workers use the embedded model and remote-only pools their workers' own default.
  const lm: LmOption | undefined = lmOverride || options.lm || (localCount > 0 ? "local" : undefined);
  if (lm !== undefined) checkLmModel(lm);
  const retries = checkRetries(options.retries, "createClient's retries");
  const python = resolveWorkerCommand(options.python);
  const pool = new Pool({
    maxQueueSize: options.maxQueueSize ?? POOL_DEFAULTS.maxQueueSize,
    maxQueueWaitMs: options.maxQueueWaitMs ?? POOL_DEFAULTS.maxQueueWaitMs,
    healthIntervalMs: options.healthIntervalMs ?? POOL_DEFAULTS.healthIntervalMs,
    drainTimeoutMs: options.drainTimeoutMs ?? POOL_DEFAULTS.drainTimeoutMs,
    killAfterMs: options.killAfterMs ?? 5_000,
    logger,
  });
  const events = { changed: pool.changed };
  // Listed and DNS-discovered workers are built alike: a discovered one is its entry with a url.
  const remoteWorker = (id: string, r: RemoteWorkerOptions) =>
    new RemotePoolWorker(id, r.maxConcurrency ?? capacity, r.url, r.token, r.tls, events, logger);
  // Before anything is started: a bad `dns` value throws here.
  const sources = remote.flatMap((r, i) => (isDnsEntry(r) ? [dnsWorkers(i, r, remoteWorker, pool, logger)] : []));

  const base = runtimeBase(logger);
  sweepOrphans(base, logger);
  const runDir = createRunDir(base);
  const live: LiveProcesses = new Set();
  const unhookExit = killOnExit(live);
  const restart = { initialMs: options.restart?.initialDelayMs ?? 250, maxMs: options.restart?.maxDelayMs ?? 10_000 };
  const startupTimeoutMs = options.startupTimeoutMs ?? 60_000;
  // Remote workers cannot reach this machine's loopback: they run their own local LM. With
  // DSPY_CONNECT_LOCAL_API_BASE set, workers use that OpenAI-compatible server instead.
  const externalLocalLm = options.env?.DSPY_CONNECT_LOCAL_API_BASE ?? process.env.DSPY_CONNECT_LOCAL_API_BASE;
  const localLm =
    lmModel(lm) === "local" && localCount > 0 && !externalLocalLm
      ? await LocalLmServer.create({
          serverEntry: await localLmServerEntry(),
          model: options.localModel ?? process.env.DSPY_CONNECT_LOCAL_MODEL,
          slots: options.localLmSlots,
          runId: runDir.runId,
          runDir: runDir.path,
          startupTimeoutMs: options.localLmStartupTimeoutMs ?? 300_000,
          healthIntervalMs: options.healthIntervalMs ?? POOL_DEFAULTS.healthIntervalMs,
          restart,
          live,
          env: options.env ?? {},
          logger,
        })
      : undefined;
  // Every local worker shares these; a zygote is started with them (workers differ only in slot).
  const poolProcess = {
    python,
    runId: runDir.runId,
    runDir: runDir.path,
    lm: lmModel(lm),
    imports: options.imports ?? [],
    pythonPath: (options.pythonPath ?? ["."]).map((folder) => resolve(folder)),
    env: { ...options.env, ...localLm?.workerEnv() },
    startupTimeoutMs,
    logger,
  };
  const zygote = localCount > 0 && options.zygote !== false ? new ZygoteKeeper(poolProcess, restart, live, logger) : undefined;
  const launcher = new WorkerLauncher(zygote, logger);
  const workers: PoolWorker[] = [];
  for (let i = 0; i < localCount; i++) {
    // Python threads beyond the pool's own limit only queue inside the worker.
    const spawnOptions = { ...poolProcess, slot: `w${i}`, maxConcurrency: capacity };
    workers.push(new LocalPoolWorker(`w${i}`, capacity, spawnOptions, launcher, restart, live, events, logger));
  }
  for (const [i, r] of remote.entries()) {
    if (!isDnsEntry(r)) workers.push(remoteWorker(`r${i}`, r));
  }
  const cleanup = () => {
    unhookExit();
    removeRunDir(runDir);
  };
  zygote?.start();
  try {
    await Promise.all([pool.start(workers, sources), localLm?.start()]);
  } catch (error) {
    await Promise.allSettled([pool.close().then(() => zygote?.stop(0)), localLm?.stop(0)]);
    cleanup();
    throw error;
  }
  const client = new DspyClient(pool, localLm, zygote, {
    lm,
    retries,
    timeoutMs: options.timeoutMs ?? POOL_DEFAULTS.timeoutMs,
    sessionTtlMs: options.sessions?.ttlMs ?? 30 * 60_000,
    affinity: options.sessions?.affinity ?? "strict",
    killAfterMs: options.killAfterMs ?? 5_000,
    cleanup,
  });
  try {
    checkLmEnvironment(lm, await client.describe());
  } catch (error) {
    await client.close();
    throw error;
  }
  return client;
}

/** Streams run longer than unary calls: 5 minutes unless the caller says otherwise. */
export const DEFAULT_RUN_TIMEOUT_MS = 5 * 60_000;

interface ClientSettings {
  readonly lm: LmOption | undefined;
  readonly retries: number | undefined;
  readonly timeoutMs: number;
  readonly sessionTtlMs: number;
  readonly affinity: "strict" | "hint";
  readonly killAfterMs: number;
  readonly cleanup: () => void;
}

/** Runs DSPy modules on a pool of Python workers. Create one with createClient(). */
export class DspyClient extends ModuleCaller {
  private closed: Promise<void> | undefined;

  /** @internal */
  constructor(
    private readonly pool: Pool,
    private readonly localLm: LocalLmServer | undefined,
    private readonly zygote: ZygoteKeeper | undefined,
    private readonly settings: ClientSettings,
  ) {
    super();
  }

  /** Any module type the workers know, with usage and the worker that ran it. */
  override call<O = Record<string, unknown>>(
    module: ModuleDefinition,
    inputs: Readonly<Record<string, unknown>>,
    options: CallOptions = {},
  ): Promise<CallResult<O>> {
    return runCall<O>(
      this.pool,
      {},
      { module, inputs, lm: options.lm ?? this.settings.lm, retries: options.retries ?? this.settings.retries },
      { ...options, timeoutMs: options.timeoutMs ?? this.settings.timeoutMs },
    );
  }

  /**
   * Opens one streaming Run (the bidi stream @dspy-connect/streaming builds on) on the
   * least-loaded worker. `start.lm` defaults to the client's LM.
   */
  openRun(start: RunStartInit, options: RunOptions = {}): RunChannel {
    const defaults = { lm: toLmConfig(options.lm ?? this.settings.lm), retries: options.retries ?? this.settings.retries };
    return openRun(this.pool, {}, withDefaults(start, defaults), {
      signal: options.signal,
      timeoutMs: options.timeoutMs ?? DEFAULT_RUN_TIMEOUT_MS,
    });
  }

  /** Workers that are ready to take calls. */
  get readyWorkers(): number {
    return this.pool.workers.filter((w) => w.status === "ready").length;
  }

  /** Opens a session on the least-loaded worker. */
  session(options: SessionOptions = {}): Promise<Session> {
    return Session.open(
      { pool: this.pool, timeoutMs: this.settings.timeoutMs, runTimeoutMs: DEFAULT_RUN_TIMEOUT_MS, retries: this.settings.retries },
      options.lm ?? this.settings.lm,
      options.ttlMs ?? this.settings.sessionTtlMs,
      options.affinity ?? this.settings.affinity,
      options.signal,
    );
  }

  /** Versions, capabilities and LM of every ready worker. */
  async describe(): Promise<DescribeResponse[]> {
    const ready = this.pool.workers.filter((w) => w.status === "ready" && w.current);
    return Promise.all(ready.map((w) => w.current!.connection.service.describe({}, { timeoutMs: 10_000 })));
  }

  stats(): ClientStats {
    const lm = this.localLm;
    const zygote = this.zygote;
    return {
      ...this.pool.stats(),
      ...(lm && { localLm: { status: lm.status, restarts: lm.restarts, pid: lm.pid, apiBase: lm.apiBase } }),
      ...(zygote && { zygote: { status: zygote.status, restarts: zygote.restarts, pid: zygote.pid } }),
    };
  }

  /** Finishes calls in flight, then stops every worker (SIGTERM, then SIGKILL). */
  close(): Promise<void> {
    this.closed ??= this.pool
      .close()
      .then(() => this.zygote?.stop(this.settings.killAfterMs))
      .then(() => this.localLm?.stop(this.settings.killAfterMs))
      .finally(this.settings.cleanup);
    return this.closed;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
