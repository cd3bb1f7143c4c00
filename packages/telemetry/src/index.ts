export { instrument, type Telemetry, type TelemetryLogger, type TelemetryOptions } from "./instrument/instrument.js";
export { observePool, poolSnapshot, type PoolMetrics, type PoolMetricsOptions, type PoolSnapshot, type WorkerSnapshot } from "./pool/pool-metrics.js";
export type { ChunkEvent, CompleteEvent, ErrorEvent, SlowChunk, StartEvent, TelemetryEvent } from "./events/telemetry-event.js";
