export type { ChunkEvent, CompleteEvent, ErrorEvent, SlowChunk, StartEvent, TelemetryEvent } from "./events/telemetry-event.js";
export { instrument, type Telemetry, type TelemetryLogger, type TelemetryOptions } from "./instrument/instrument.js";
export {
  observePool,
  type PoolMetrics,
  type PoolMetricsOptions,
  type PoolSnapshot,
  poolSnapshot,
  type WorkerSnapshot,
} from "./pool/pool-metrics.js";
