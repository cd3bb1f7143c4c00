import { publish } from "../diagnostics/channels.js";
import { Code, ConnectError, isWorkerGoneError, workerGoneError } from "../errors.js";
import type { Logger } from "../options.js";
import type { LiveProcesses } from "../process/live-processes.js";
import type { WorkerConnection } from "../worker/connection.js";
import { DispatchQueue } from "./dispatch-queue.js";
import { type PoolWorker, RemotePoolWorker, type WorkerStatus } from "./pool-worker.js";

const EXIT_EVENT_GRACE_MS = 250;

/** What a call needs from the pool: where it may run, and until when. */
export interface RouteRequest {
  /** A worker to prefer (session affinity). */
  readonly preferred?: string;
  /** Run only on `preferred`. */
  readonly strict?: boolean;
  readonly deadline: number;
  readonly signal?: AbortSignal;
}

/** A slot on one worker incarnation, held for one call. */
export interface Lease {
  readonly workerId: string;
  readonly incarnation: number;
  readonly connection: WorkerConnection;
  /** Fires when the worker dies or is dropped during the call. */
  readonly gone: AbortSignal;
  release(): void;
  /** The caller gave up on the call while the worker ran it (counted in stats). */
  abandon(): void;
}

export interface WorkerStats {
  readonly id: string;
  readonly kind: "local" | "remote";
  readonly status: WorkerStatus;
  readonly inflight: number;
  /** Calls whose caller gave up (abort, deadline) while the worker ran them; the worker cancels their work. */
  readonly abandoned: number;
  readonly capacity: number;
  readonly restarts: number;
  readonly pid: number | undefined;
}

export interface PoolStats {
  readonly workers: readonly WorkerStats[];
  readonly queued: number;
  readonly busy: number;
}

export interface PoolOptions {
  readonly maxQueueSize: number;
  readonly maxQueueWaitMs: number;
  readonly healthIntervalMs: number;
  readonly drainTimeoutMs: number;
  readonly killAfterMs: number;
  readonly logger: Logger;
}

/** Something that adds workers to the pool while it runs (DNS discovery). */
export interface WorkerSource {
  start(): Promise<void>;
  stop(): void;
}

/** Routes calls to the least-loaded ready worker, queues the rest, and shuts down in order. */
export class Pool {
  readonly workers: PoolWorker[] = [];
  private sources: readonly WorkerSource[] = [];
  private readonly retiring = new Set<Promise<void>>();
  private readonly queue: DispatchQueue<RouteRequest, Lease>;
  private healthTimer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;
  private onIdle: (() => void) | undefined;
  private assignments = 0;

  constructor(private readonly options: PoolOptions) {
    this.queue = new DispatchQueue(options.maxQueueSize, options.maxQueueWaitMs);
  }

  /** Starts every worker and source; if any fails to start, stops the rest and throws its error. */
  async start(workers: PoolWorker[], sources: readonly WorkerSource[] = []): Promise<void> {
    this.workers.push(...workers);
    this.sources = sources;
    const results = await Promise.allSettled([...workers.map((w) => w.start()), ...sources.map((s) => s.start())]);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) {
      await this.close();
      throw ConnectError.from(failed.reason);
    }
    this.healthTimer = setInterval(() => {
      for (const worker of this.workers) {
        if (worker.status === "ready" || worker.status === "unhealthy" || worker.status === "draining") void worker.probe();
      }
    }, this.options.healthIntervalMs);
    this.healthTimer.unref();
  }

  /** Waits for a slot that `request` allows, within its deadline and the queue's limits. */
  acquire(request: RouteRequest): Promise<Lease> {
    if (this.closing) return Promise.reject(new ConnectError("the client is closed", Code.Unavailable));
    if (request.signal?.aborted) return Promise.reject(new ConnectError("call aborted", Code.Canceled));
    const refused = this.refused();
    if (refused) return Promise.reject(refused);
    const lost = this.lostPin(request);
    if (lost) return Promise.reject(lost);
    const lease = this.queue.size === 0 ? this.pick(request) : undefined;
    return lease ? Promise.resolve(lease) : this.queue.enqueue(request, request.deadline, request.signal);
  }

  /**
   * Maps an RPC failure: a dead or vanished worker always reads as Unavailable. A socket
   * error or a cancel the caller did not ask for usually arrives a few ms before the exit
   * event, so wait briefly for it to name how the worker died.
   */
  async translateError(error: unknown, lease: Lease, callerSignal: AbortSignal | undefined): Promise<ConnectError> {
    if (lease.gone.aborted) return ConnectError.from(lease.gone.reason);
    const connectError = ConnectError.from(error);
    if (callerSignal?.aborted) return connectError;
    if (!isWorkerGoneError(connectError) && connectError.code !== Code.Canceled) return connectError;
    await abortedWithin(lease.gone, EXIT_EVENT_GRACE_MS);
    if (lease.gone.aborted) return ConnectError.from(lease.gone.reason);
    const worker = this.workers.find((w) => w.id === lease.workerId);
    if (worker instanceof RemotePoolWorker) worker.reportFailure();
    return workerGoneError(lease.workerId, connectError.rawMessage, connectError);
  }

  stats(): PoolStats {
    const workers = this.workers.map((w) => ({
      id: w.id,
      kind: w.kind,
      status: w.status,
      inflight: w.inflight,
      abandoned: w.abandoned,
      capacity: w.capacity,
      restarts: w.restarts,
      pid: w.pid,
    }));
    return { workers, queued: this.queue.size, busy: workers.filter((w) => w.inflight > 0).length };
  }

  /** Lets calls in flight and in the queue finish (up to drainTimeoutMs), then stops workers. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  /** Whether a worker with this id is in the pool (draining included). */
  has(id: string): boolean {
    return this.workers.some((w) => w.id === id);
  }

  /** Adds a started worker (found by discovery) and hands it waiting calls. */
  join(worker: PoolWorker): void {
    if (this.closing) {
      void worker.stop(0);
      return;
    }
    this.workers.push(worker);
    publish("dspy-connect:pool:member", { workerId: worker.id, change: "joined" });
    this.changed();
  }

  /** No new calls on this worker; once its calls in flight are done it is stopped and removed. */
  drain(id: string): void {
    const worker = this.workers.find((w) => w.id === id);
    if (!worker || worker.status === "draining") return;
    publish("dspy-connect:pool:member", { workerId: id, change: "draining" });
    worker.drain(); // its status change calls changed(), which retires it when idle
  }

  /** Called by workers when their status changes. */
  readonly changed = (): void => {
    this.retireDrained();
    this.queue.rejectWhere((request) => this.lostPin(request));
    this.queue.drain((request) => this.pick(request));
    const refused = this.refused();
    if (refused) this.queue.rejectAll(refused);
    if (this.onIdle && this.isIdle()) this.onIdle();
  };

  private async shutdown(): Promise<void> {
    clearInterval(this.healthTimer);
    for (const source of this.sources) source.stop();
    if (!this.isIdle()) {
      await new Promise<void>((resolve) => {
        this.onIdle = resolve;
        setTimeout(resolve, this.options.drainTimeoutMs).unref();
      });
    }
    this.queue.rejectAll(new ConnectError("the client closed before a worker was free", Code.Unavailable));
    await Promise.all([...this.workers.map((w) => w.stop(this.options.killAfterMs)), ...this.retiring]);
  }

  /** Stops and removes draining workers with no call in flight. */
  private retireDrained(): void {
    for (const worker of this.workers.filter((w) => w.status === "draining" && w.inflight === 0)) {
      this.workers.splice(this.workers.indexOf(worker), 1);
      this.options.logger.info?.(`worker ${worker.id} drained and left the pool`);
      publish("dspy-connect:pool:member", { workerId: worker.id, change: "left" });
      const stopped = worker.stop(this.options.killAfterMs).finally(() => this.retiring.delete(stopped));
      this.retiring.add(stopped);
    }
  }

  /**
   * A strict session call whose worker left the pool (or is leaving) can never run: it fails
   * at once with NotFound, as when the session's worker restarted. "hint" calls go elsewhere.
   */
  private lostPin(request: RouteRequest): ConnectError | undefined {
    if (!request.strict || request.preferred === undefined) return undefined;
    const worker = this.workers.find((w) => w.id === request.preferred);
    if (worker && worker.status !== "draining") return undefined;
    return new ConnectError(
      `the session's worker ${request.preferred} left the pool (its address left DNS); the session is lost (use affinity "hint" to recreate sessions elsewhere)`,
      Code.NotFound,
    );
  }

  /** When the version handshake refuses every worker, calls fail at once, saying why. */
  private refused(): ConnectError | undefined {
    return this.workers.every((w) => w.refusal) ? this.workers[0]?.refusal : undefined;
  }

  private isIdle(): boolean {
    return this.queue.size === 0 && this.workers.every((w) => w.inflight === 0);
  }

  private pick(request: RouteRequest): Lease | undefined {
    const free = (w: PoolWorker) => w.status === "ready" && w.inflight < w.capacity && w.current !== undefined;
    let chosen: PoolWorker | undefined;
    if (request.preferred !== undefined) {
      chosen = this.workers.find((w) => w.id === request.preferred && free(w));
      if (!chosen && request.strict) return undefined;
    }
    // Least loaded by share of capacity; ties go to the worker used longest ago.
    chosen ??= this.workers
      .filter(free)
      .sort((a, b) => a.inflight / a.capacity - b.inflight / b.capacity || a.lastAssigned - b.lastAssigned)[0];
    return chosen ? this.lease(chosen) : undefined;
  }

  private lease(worker: PoolWorker): Lease {
    const incarnation = worker.current!;
    worker.inflight++;
    worker.lastAssigned = ++this.assignments;
    let released = false;
    return {
      workerId: worker.id,
      incarnation: incarnation.number,
      connection: incarnation.connection,
      gone: incarnation.gone,
      release: () => {
        if (released) return;
        released = true;
        worker.inflight--;
        this.changed();
      },
      abandon: () => {
        worker.abandoned++;
      },
    };
  }
}

function abortedWithin(signal: AbortSignal, ms: number): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

/** Kills every live child group (workers, zygote, LM server) if Node exits without close(). */
export function killOnExit(live: LiveProcesses): () => void {
  const handler = () => {
    for (const proc of live) proc.signalGroup("SIGKILL");
  };
  process.on("exit", handler);
  return () => process.off("exit", handler);
}
