import type { Transport } from "@connectrpc/connect";
import { DspyClient } from "./client.js";
import { type ClientOptions, defaultLogger } from "./options.js";
import { POOL_DEFAULTS } from "./pool/defaults.js";
import { Pool } from "./pool/pool.js";
import { TransportPoolWorker } from "./pool/transport-pool-worker.js";
import { checkRetries } from "./retries.js";

export interface TransportClientOptions
  extends Pick<
    ClientOptions,
    "lm" | "retries" | "timeoutMs" | "maxQueueSize" | "maxQueueWaitMs" | "healthIntervalMs" | "drainTimeoutMs" | "sessions" | "logger"
  > {
  /** Calls one worker runs at once; more wait in the pool's queue. Default 128, as for createClient. */
  readonly maxConcurrency?: number;
}

/**
 * A DspyClient whose workers are connect Transports, one worker per transport, with no
 * process, socket or LM server. Unit tests pass createRouterTransport routers that answer
 * WorkerService and Health with plain handlers; it resolves once every worker is serving.
 */
export async function createClientOnTransport(
  transports: Transport | readonly Transport[],
  options: TransportClientOptions = {},
): Promise<DspyClient> {
  const logger = options.logger ?? defaultLogger;
  const pool = new Pool({
    maxQueueSize: options.maxQueueSize ?? POOL_DEFAULTS.maxQueueSize,
    maxQueueWaitMs: options.maxQueueWaitMs ?? POOL_DEFAULTS.maxQueueWaitMs,
    healthIntervalMs: options.healthIntervalMs ?? POOL_DEFAULTS.healthIntervalMs,
    drainTimeoutMs: options.drainTimeoutMs ?? POOL_DEFAULTS.drainTimeoutMs,
    killAfterMs: 0,
    logger,
  });
  const list = Array.isArray(transports) ? (transports as readonly Transport[]) : [transports as Transport];
  const capacity = options.maxConcurrency ?? POOL_DEFAULTS.maxConcurrencyPerWorker;
  const events = { changed: pool.changed };
  await pool.start(list.map((transport, i) => new TransportPoolWorker(`t${i}`, capacity, transport, events, logger)));
  return new DspyClient(pool, undefined, undefined, {
    lm: options.lm,
    retries: checkRetries(options.retries),
    timeoutMs: options.timeoutMs ?? POOL_DEFAULTS.timeoutMs,
    sessionTtlMs: options.sessions?.ttlMs ?? 30 * 60_000,
    affinity: options.sessions?.affinity ?? "strict",
    killAfterMs: 0,
    cleanup: () => {},
  });
}
