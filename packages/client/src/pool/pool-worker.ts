import { HealthCheckResponse_ServingStatus } from "@dspy-connect/core-proto";
import { Code, ConnectError, workerGoneError } from "../errors.js";
import type { Logger } from "../options.js";
import { connectRemote, connectUnix, type WorkerConnection } from "../worker/connection.js";
import { restartDelay, STABLE_AFTER_MS, type RestartDelay } from "../process/backoff.js";
import type { ManagedProcess } from "../process/managed-process.js";
import { socketPathOf, spawnWorker, type SpawnOptions, type WorkerProcess } from "../worker/worker-process.js";

const SERVICE_NAME = "dspy_connect.v1.WorkerService";
const HEALTH_TIMEOUT_MS = 2_000;
const UNHEALTHY_AFTER_FAILURES = 2;

export type WorkerStatus = "starting" | "ready" | "unhealthy" | "stopped";

/** One life of a worker: its connection, and a signal that fires when it ends. */
export interface Incarnation {
  readonly number: number;
  readonly connection: WorkerConnection;
  readonly gone: AbortSignal;
}

export interface WorkerEvents {
  /** Status or load changed: the pool re-dispatches waiting calls. */
  changed(): void;
}

/** A pool slot: keeps one worker alive (local) or watches one (remote). */
export abstract class PoolWorker {
  status: WorkerStatus = "starting";
  inflight = 0;
  restarts = 0;
  lastAssigned = 0;
  protected incarnation: (Incarnation & { abort: AbortController }) | undefined;
  protected incarnations = 0;
  protected healthFailures = 0;
  protected stopping = false;

  constructor(
    readonly id: string,
    readonly kind: "local" | "remote",
    readonly capacity: number,
    protected readonly events: WorkerEvents,
    protected readonly logger: Logger,
  ) {}

  get current(): Incarnation | undefined {
    return this.incarnation;
  }

  get pid(): number | undefined {
    return undefined;
  }

  abstract start(): Promise<void>;
  abstract stop(killAfterMs: number): Promise<void>;
  protected abstract onUnhealthy(): void;

  /** Periodic health probe of a ready or unhealthy worker. */
  async probe(): Promise<void> {
    const inc = this.incarnation;
    if (!inc || this.stopping) return;
    if (await isServing(inc.connection)) {
      this.healthFailures = 0;
      if (this.status === "unhealthy") this.setStatus("ready");
      return;
    }
    if (++this.healthFailures >= UNHEALTHY_AFTER_FAILURES && this.status === "ready") {
      this.logger.warn?.(`worker ${this.id} failed ${this.healthFailures} health checks`);
      this.onUnhealthy();
    }
  }

  protected beginIncarnation(connection: WorkerConnection, status: WorkerStatus): void {
    const abort = new AbortController();
    this.incarnation = { number: ++this.incarnations, connection, gone: abort.signal, abort };
    this.healthFailures = 0;
    this.setStatus(status);
  }

  /** Ends the current incarnation: calls on it see `gone` fire and fail with Unavailable. */
  protected endIncarnation(reason: string, next: WorkerStatus): void {
    const inc = this.incarnation;
    this.incarnation = undefined;
    if (inc) {
      inc.abort.abort(workerGoneError(this.id, reason));
      inc.connection.close();
    }
    this.setStatus(next);
  }

  protected setStatus(status: WorkerStatus): void {
    this.status = status;
    this.events.changed();
  }
}

export class LocalPoolWorker extends PoolWorker {
  private process: WorkerProcess | undefined;
  private failures = 0;
  private readyAt = 0;
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(
    id: string,
    capacity: number,
    private readonly spawnOptions: SpawnOptions,
    private readonly delays: RestartDelay,
    private readonly live: Set<ManagedProcess>,
    events: WorkerEvents,
    logger: Logger,
  ) {
    super(id, "local", capacity, events, logger);
  }

  override get pid(): number | undefined {
    return this.process?.alive ? this.process.pid : undefined;
  }

  start(): Promise<void> {
    return this.launch();
  }

  async stop(killAfterMs: number): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const proc = this.process;
    this.endIncarnation("the client is closing", "stopped");
    if (proc) await proc.stop(killAfterMs);
  }

  protected onUnhealthy(): void {
    this.process?.signalGroup("SIGKILL"); // the exit handler restarts it
  }

  private async launch(): Promise<void> {
    const proc = await spawnWorker(this.spawnOptions);
    this.live.add(proc);
    void proc.exited.then(() => this.live.delete(proc));
    const connection = connectUnix(socketPathOf(proc));
    if (this.stopping || !(await isServing(connection))) {
      connection.close();
      proc.signalGroup("SIGKILL");
      if (this.stopping) return;
      throw new ConnectError(`worker ${this.id} printed its ready line but failed its health check`, Code.Unavailable);
    }
    this.process = proc;
    this.readyAt = Date.now();
    this.beginIncarnation(connection, "ready");
    void proc.exited.then(() => this.onExit(proc));
  }

  private onExit(proc: WorkerProcess): void {
    if (this.stopping || proc !== this.process) return;
    const how = proc.describeExit();
    this.logger.warn?.(`worker ${this.id} (pid ${proc.pid}) ${proc.describeCrash()}\nrestarting`);
    this.endIncarnation(how, "starting");
    if (Date.now() - this.readyAt > STABLE_AFTER_MS) this.failures = 0;
    this.scheduleRestart();
  }

  private scheduleRestart(): void {
    const delay = restartDelay(this.failures++, this.delays);
    this.restartTimer = setTimeout(() => {
      this.restarts++;
      this.launch().catch((error: unknown) => {
        if (this.stopping) return;
        this.logger.warn?.(`worker ${this.id} restart failed: ${(error as Error).message}`);
        this.scheduleRestart();
      });
    }, delay);
    this.restartTimer.unref();
  }
}

export class RemotePoolWorker extends PoolWorker {
  constructor(
    id: string,
    capacity: number,
    private readonly url: string,
    private readonly token: string | undefined,
    events: WorkerEvents,
    logger: Logger,
  ) {
    super(id, "remote", capacity, events, logger);
  }

  async start(): Promise<void> {
    const connection = connectRemote(this.url, this.token);
    if (!(await isServing(connection))) {
      connection.close();
      throw new ConnectError(`remote worker ${this.id} at ${this.url} is not serving`, Code.Unavailable);
    }
    this.beginIncarnation(connection, "ready");
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.endIncarnation("the client is closing", "stopped");
  }

  /** Not routed to until a probe passes again; calls in flight see it as gone. */
  protected onUnhealthy(): void {
    this.endIncarnation("failed health checks", "unhealthy");
    this.beginIncarnation(connectRemote(this.url, this.token), "unhealthy");
  }

  /** A call saw the connection fail: check now rather than at the next period. */
  reportFailure(): void {
    void this.probe();
  }
}

async function isServing(connection: WorkerConnection): Promise<boolean> {
  try {
    const reply = await connection.health.check({ service: SERVICE_NAME }, { timeoutMs: HEALTH_TIMEOUT_MS });
    return reply.status === HealthCheckResponse_ServingStatus.SERVING;
  } catch {
    return false;
  }
}
