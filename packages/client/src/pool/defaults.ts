/**
 * Pool defaults, for local and transport pools alike. The cap per worker is high because an
 * LM call mostly waits on the network: at 4, a 2-worker pool ran 8 calls at a time and was
 * 6× slower than with 32 (issue 17; docs/benchmarks.md, "Many streams at once"). A worker
 * whose CPU saturates holds new work itself (its admission, by event-loop lag).
 */
export const POOL_DEFAULTS = {
  maxConcurrencyPerWorker: 128,
  maxQueueSize: 1000,
  maxQueueWaitMs: 30_000,
  healthIntervalMs: 5_000,
  drainTimeoutMs: 10_000,
  /** A call's deadline, queue time included. */
  timeoutMs: 120_000,
} as const;
