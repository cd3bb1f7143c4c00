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

/** Routes calls to the least-loaded ready worker, queues the rest, and shuts down in order. */
export class Pool {
  readonly workers: PoolWorker[] = [];
  private readonly queue: DispatchQueue<RouteRequest, Lease>;
  private healthTimer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;
  private onIdle: (() => void) | undefined;
  private assignments = 0;

  constructor(private readonly options: PoolOptions) {
    this.queue = new DispatchQueue(options.maxQueueSize, options.maxQueueWaitMs);
  }

  /** Starts every worker; if any fails to start, stops the rest and throws its error. */
  async start(workers: PoolWorker[]): Promise<void> {
    this.workers.push(...workers);
    const results = await Promise.allSettled(workers.map((w) => w.start()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) {
      await this.close();
      throw ConnectError.from(failed.reason);
    }
    this.healthTimer = setInterval(() => {
      for (const worker of this.workers) {
        if (worker.status === "ready" || worker.status === "unhealthy") void worker.probe();
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

  /** Called by workers when their status changes. */
  readonly changed = (): void => {
    this.queue.drain((request) => this.pick(request));
    const refused = this.refused();
    if (refused) this.queue.rejectAll(refused);
    if (this.onIdle && this.isIdle()) this.onIdle();
  };

  private async shutdown(): Promise<void> {
    clearInterval(this.healthTimer);
    if (!this.isIdle()) {
      await new Promise<void>((resolve) => {
        this.onIdle = resolve;
        setTimeout(resolve, this.options.drainTimeoutMs).unref();
      });
    }
    this.queue.rejectAll(new ConnectError("the client closed before a worker was free", Code.Unavailable));
    await Promise.all(this.workers.map((w) => w.stop(this.options.killAfterMs)));
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
