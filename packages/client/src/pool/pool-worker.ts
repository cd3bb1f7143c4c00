import { HealthCheckResponse_ServingStatus } from "@dspy-connect/core-proto";
import { Code, ConnectError, workerGoneError } from "../errors.js";
import type { Logger, RemoteWorkerTls } from "../options.js";
import { type RestartDelay, restartDelay, STABLE_AFTER_MS } from "../process/backoff.js";
import { CpuProgress } from "../process/cpu-time.js";
import type { LiveProcesses } from "../process/live-processes.js";
import type { WorkerPlace } from "../worker/compatibility.js";
import { connectRemote, connectUnix, type WorkerConnection } from "../worker/connection.js";
import { handshake, WARM_UP_TIMEOUT_MS } from "../worker/handshake.js";
import { isHandshakeError } from "../worker/handshake-error.js";
import { tlsFailure } from "../worker/tls-failure.js";
import { type SpawnOptions, socketPathOf, type WorkerProcess } from "../worker/worker-process.js";
import type { WorkerLauncher } from "./worker-launcher.js";

const SERVICE_NAME = "dspy_connect.v1.WorkerService";
const HEALTH_TIMEOUT_MS = 2_000;
// The first health check on a new worker waits for the version handshake too.
const FIRST_CHECK_TIMEOUT_MS = WARM_UP_TIMEOUT_MS + HEALTH_TIMEOUT_MS;
const UNHEALTHY_AFTER_FAILURES = 2;
// A worker that fails health checks but uses at least this share of a core is busy (one
// thread holds the GIL), not dead; its calls in flight are kept. Idle, it uses ~0.
const BUSY_CPU_SHARE = 0.25;
// ...unless it stays that way this long (a runaway loop).
const MAX_BUSY_MS = 5 * 60_000;

/** "draining": left the pool's set (its DNS address went away); in-flight calls finish, no new ones. */
export type WorkerStatus = "starting" | "ready" | "unhealthy" | "draining" | "stopped";

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
  /** Calls whose caller gave up (abort, deadline) while this worker ran them. */
  abandoned = 0;
  restarts = 0;
  lastAssigned = 0;
  /** Why the version handshake refuses this worker, while it does: it gets no calls meanwhile. */
  refusal: ConnectError | undefined;
  protected incarnation: (Incarnation & { abort: AbortController }) | undefined;
  protected incarnations = 0;
  protected healthFailures = 0;
  protected stopping = false;
  private probing = false;

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
  /** Called after each failed probe from the UNHEALTHY_AFTER_FAILURES-th on. */
  protected abstract onUnhealthy(): void;
  /** Called after every probe, before its outcome is acted on. */
  protected onProbed(_serving: boolean): void {}
  /** A probe's health check failed with `error` (a handshake refusal goes to onRefused). */
  protected onProbeFailure(_error: unknown, _connection: WorkerConnection): void {}
  /** The handshake refused a connection to this worker (at start, in a probe or in a call). */
  protected onRefused(error: ConnectError): void {
    this.refusal = error;
  }

  /** No new calls from now on; the pool stops it once its calls in flight are done. */
  drain(): void {
    if (this.status !== "stopped") this.setStatus("draining");
  }

  /** Periodic health probe of a ready or unhealthy worker; one at a time. */
  async probe(): Promise<void> {
    const inc = this.incarnation;
    if (!inc || this.stopping || this.probing) return;
    this.probing = true;
    let serving: boolean;
    try {
      serving = await isServing(inc.connection, undefined, (error) => this.onProbeFailure(error, inc.connection));
    } catch {
      return; // refused by the handshake: onRefused has acted, and it is no health failure
    } finally {
      this.probing = false;
    }
    if (inc !== this.incarnation || this.stopping) return;
    this.onProbed(serving);
    if (serving) {
      this.healthFailures = 0;
      if (this.refusal) {
        this.logger.warn?.(`worker ${this.id} passed the version handshake again and gets calls again`);
        this.refusal = undefined;
      }
      if (this.status === "unhealthy") this.setStatus("ready");
      return;
    }
    if (++this.healthFailures >= UNHEALTHY_AFTER_FAILURES) this.onUnhealthy();
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
  private cpu: { progress: CpuProgress; share: number | undefined; busySince: number } | undefined;

  private readonly place: WorkerPlace;

  constructor(
    id: string,
    capacity: number,
    private readonly spawnOptions: SpawnOptions,
    private readonly launcher: WorkerLauncher,
    private readonly delays: RestartDelay,
    private readonly live: LiveProcesses,
    events: WorkerEvents,
    logger: Logger,
  ) {
    super(id, "local", capacity, events, logger);
    this.place = { kind: "local", id, command: spawnOptions.python };
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

  protected override onProbed(serving: boolean): void {
    if (!this.cpu) return;
    this.cpu.share = this.cpu.progress.sample();
    if (serving) this.cpu.busySince = 0;
  }

  /**
   * Busy or dead? A worker still burning CPU (a long GIL hold: a huge input, a C extension)
   * only stops getting new calls until it answers again; one that makes no progress, or
   * has been busy for MAX_BUSY_MS, is killed, and the exit handler restarts it.
   */
  protected onUnhealthy(): void {
    const cpu = this.cpu;
    if (cpu && cpu.share !== undefined && cpu.share >= BUSY_CPU_SHARE) {
      cpu.busySince ||= Date.now();
      if (Date.now() - cpu.busySince < MAX_BUSY_MS) {
        if (this.status === "ready") {
          this.logger.warn?.(
            `worker ${this.id} is busy (${this.healthFailures} health checks timed out while it used CPU): no new calls until it answers`,
          );
          this.setStatus("unhealthy");
        }
        return;
      }
    }
    this.logger.warn?.(
      `worker ${this.id} failed ${this.healthFailures} health checks ${cpu?.busySince ? "and stayed busy too long" : "without making progress"}: restarting it`,
    );
    this.process?.signalGroup("SIGKILL");
  }

  private async launch(): Promise<void> {
    const proc = await this.launcher.launch(this.spawnOptions);
    this.live.add(proc);
    void proc.exited.then(() => this.live.delete(proc));
    const connection = connectUnix(
      socketPathOf(proc),
      handshake(this.place, (error) => this.onRefused(error)),
    );
    // A refused worker (the handshake throws) is stopped like one that fails its health check.
    const serving = !this.stopping && (await isServing(connection, FIRST_CHECK_TIMEOUT_MS).catch(() => false));
    if (!serving) {
      connection.close();
      proc.signalGroup("SIGKILL");
      if (this.stopping) return;
      if (this.refusal) throw this.refusal;
      throw new ConnectError(`worker ${this.id} printed its ready line but failed its health check`, Code.Unavailable);
    }
    this.process = proc;
    this.readyAt = Date.now();
    const progress = new CpuProgress(proc.pid);
    progress.sample(); // the baseline
    this.cpu = { progress, share: undefined, busySince: 0 };
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
        if (this.refusal) {
          // A version mismatch does not go away on restart: no restart loop.
          this.logger.error?.(`${this.refusal.rawMessage}\nworker ${this.id} is stopped and not restarted`);
          this.setStatus("stopped");
          return;
        }
        this.logger.warn?.(`worker ${this.id} restart failed: ${(error as Error).message}`);
        this.scheduleRestart();
      });
    }, delay);
    this.restartTimer.unref();
  }
}

export class RemotePoolWorker extends PoolWorker {
  private readonly place: WorkerPlace;

  constructor(
    id: string,
    capacity: number,
    private readonly url: string,
    private readonly token: string | undefined,
    private readonly tls: RemoteWorkerTls | undefined,
    events: WorkerEvents,
    logger: Logger,
  ) {
    super(id, "remote", capacity, events, logger);
    this.place = { kind: "remote", id, url };
  }

  async start(): Promise<void> {
    const connection = this.connect();
    let failure: unknown;
    const serving = await isServing(connection, FIRST_CHECK_TIMEOUT_MS, (error) => {
      failure = error;
    }).catch(() => false);
    if (!serving) {
      const error =
        this.refusal ??
        this.tlsFailure(failure, connection) ??
        new ConnectError(`remote worker ${this.id} at ${this.url} is not serving`, Code.Unavailable);
      connection.close(); // after reading why: closing connections mid-setup is no worker's doing
      throw error;
    }
    this.beginIncarnation(connection, "ready");
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.endIncarnation("the client is closing", "stopped");
  }

  /** Not routed to until a probe passes again; calls in flight see it as gone. */
  protected onUnhealthy(): void {
    // Leaving anyway: its calls in flight fail now (Unavailable), and the pool removes it.
    if (this.status === "draining" && this.incarnation) this.endIncarnation("failed health checks while draining", "draining");
    if (this.status !== "ready") return;
    this.endIncarnation("failed health checks", "unhealthy");
    this.beginIncarnation(this.connect(), "unhealthy");
  }

  /**
   * Refused after the client is up (restarted with another version, reached over a new
   * connection): no new calls, while probes keep checking; it serves again once it passes.
   */
  protected override onRefused(error: ConnectError): void {
    const known = this.refusal !== undefined;
    super.onRefused(error);
    if (this.status === "starting") return; // start() fails with it
    if (!known) this.logger.error?.(`${error.rawMessage}\nremote worker ${this.id} gets no calls until it passes the handshake`);
    if (this.status === "ready") this.setStatus("unhealthy");
  }

  /**
   * A worker that fails TLS (restarted with a certificate the client does not trust, say) is
   * refused as the version handshake refuses: logged once, no calls until a probe passes.
   */
  protected override onProbeFailure(error: unknown, connection: WorkerConnection): void {
    const refusal = this.tlsFailure(error, connection);
    if (refusal) this.onRefused(refusal);
  }

  private tlsFailure(error: unknown, connection: WorkerConnection): ConnectError | undefined {
    return tlsFailure([error, connection.connectionError?.()], this.url, `remote worker ${this.id} at ${this.url}`);
  }

  private connect(): WorkerConnection {
    return connectRemote(
      this.url,
      this.token,
      this.tls,
      handshake(this.place, (error) => this.onRefused(error)),
    );
  }

  /** A call saw the connection fail: check now rather than at the next period. */
  reportFailure(): void {
    void this.probe();
  }
}

/**
 * One health check of the worker service, within `timeoutMs`. On a new connection the
 * version handshake runs first; its refusal is thrown, not read as "not serving".
 */
export async function isServing(
  connection: WorkerConnection,
  timeoutMs = HEALTH_TIMEOUT_MS,
  onFailure?: (error: unknown) => void,
): Promise<boolean> {
  try {
    const reply = await connection.health.check({ service: SERVICE_NAME }, { timeoutMs });
    return reply.status === HealthCheckResponse_ServingStatus.SERVING;
  } catch (error) {
    if (isHandshakeError(error)) throw error;
    onFailure?.(error);
    return false;
  }
}
