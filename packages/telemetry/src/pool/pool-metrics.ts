import type { DspyClient } from "@dspy-connect/client";
import { type Meter, metrics } from "@opentelemetry/api";

export interface WorkerSnapshot {
  readonly id: string;
  readonly kind: "local" | "remote";
  readonly status: string;
  readonly inflight: number;
  /** Calls whose caller gave up (abort, deadline) while the worker ran them. */
  readonly abandoned: number;
  readonly restarts: number;
  /** The Python process's resident memory, as the worker reports it (undefined until it has). */
  readonly rssBytes: number | undefined;
}

export interface PoolSnapshot {
  readonly queueDepth: number;
  readonly busyWorkers: number;
  readonly restarts: number;
  readonly workers: readonly WorkerSnapshot[];
  /** The embedded local LM server: "up", "down", or undefined when the client runs none. */
  readonly localLm: "up" | "down" | undefined;
  /** The zygote local workers fork from: its status and restarts; undefined without one. */
  readonly zygote: { readonly status: string; readonly restarts: number } | undefined;
}

/** The pool's state now; `rss` is each worker's last reported memory. */
export function poolSnapshot(client: DspyClient, rss: ReadonlyMap<string, number> = new Map()): PoolSnapshot {
  const stats = client.stats();
  const workers = stats.workers.map((w) => ({
    id: w.id,
    kind: w.kind,
    status: w.status,
    inflight: w.inflight,
    abandoned: w.abandoned,
    restarts: w.restarts,
    rssBytes: rss.get(w.id),
  }));
  return {
    queueDepth: stats.queued,
    busyWorkers: stats.busy,
    restarts: workers.reduce((sum, w) => sum + w.restarts, 0),
    workers,
    localLm: stats.localLm ? (stats.localLm.status === "ready" ? "up" : "down") : undefined,
    zygote: stats.zygote ? { status: stats.zygote.status, restarts: stats.zygote.restarts } : undefined,
  };
}

export interface PoolMetricsOptions {
  readonly meter?: Meter;
  /** How often workers are asked for their memory. Default 10 s. */
  readonly rssIntervalMs?: number;
}

export interface PoolMetrics {
  snapshot(): PoolSnapshot;
  /** Asks every ready worker for its memory now. */
  refresh(): Promise<void>;
  close(): void;
}

/**
 * Pool gauges for OpenTelemetry: queue depth, busy workers, restarts, Python RSS per
 * worker, whether the local LM server is up, and the zygote's state and restarts (while it
 * is down, restarted workers are spawned and warm up on their own). Worker memory comes from Describe,
 * polled every `rssIntervalMs`, so remote workers report theirs too.
 */
export function observePool(client: DspyClient, options: PoolMetricsOptions = {}): PoolMetrics {
  const meter = options.meter ?? metrics.getMeter("@dspy-connect/telemetry");
  const rss = new Map<string, number>();
  const refresh = async (): Promise<void> => {
    const replies = await client.describe().catch(() => []);
    for (const reply of replies) if (reply.rssBytes) rss.set(reply.workerId, Number(reply.rssBytes));
  };
  const timer = setInterval(() => void refresh(), options.rssIntervalMs ?? 10_000);
  timer.unref();
  void refresh();

  const queue = meter.createObservableGauge("dspy_connect.pool.queue_depth", { description: "Calls waiting for a worker" });
  const busy = meter.createObservableGauge("dspy_connect.pool.busy_workers", { description: "Workers with work in flight" });
  const restarts = meter.createObservableGauge("dspy_connect.worker.restarts", { description: "Restarts of each worker slot" });
  const abandoned = meter.createObservableGauge("dspy_connect.worker.abandoned_calls", {
    description: "Calls of each worker slot whose caller gave up (abort, deadline) while the worker ran them",
  });
  const memory = meter.createObservableGauge("dspy_connect.worker.rss", {
    unit: "By",
    description: "Resident memory of each Python worker",
  });
  const lmUp = meter.createObservableGauge("dspy_connect.local_lm.up", { description: "1 when the embedded local LM server is up" });
  const zygoteUp = meter.createObservableGauge("dspy_connect.zygote.up", {
    description: "1 when the zygote is ready to fork warm workers",
  });
  const zygoteRestarts = meter.createObservableGauge("dspy_connect.zygote.restarts", { description: "Restarts of the zygote" });
  const observe = meter.addBatchObservableCallback(
    (result) => {
      const s = poolSnapshot(client, rss);
      result.observe(queue, s.queueDepth);
      result.observe(busy, s.busyWorkers);
      for (const w of s.workers) {
        result.observe(restarts, w.restarts, { "dspy_connect.worker_id": w.id });
        result.observe(abandoned, w.abandoned, { "dspy_connect.worker_id": w.id });
        if (w.rssBytes !== undefined) result.observe(memory, w.rssBytes, { "dspy_connect.worker_id": w.id });
      }
      if (s.localLm) result.observe(lmUp, s.localLm === "up" ? 1 : 0);
      if (s.zygote) {
        result.observe(zygoteUp, s.zygote.status === "ready" ? 1 : 0);
        result.observe(zygoteRestarts, s.zygote.restarts);
      }
    },
    [queue, busy, restarts, abandoned, memory, lmUp, zygoteUp, zygoteRestarts],
  );
  return {
    snapshot: () => poolSnapshot(client, rss),
    refresh,
    close() {
      clearInterval(timer);
      meter.removeBatchObservableCallback(observe as never, [queue, busy, restarts, abandoned, memory, lmUp]);
    },
  };
}
