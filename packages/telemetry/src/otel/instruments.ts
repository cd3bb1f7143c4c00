import type { Counter, Histogram, Meter } from "@opentelemetry/api";

/** The OpenTelemetry metrics of operations and tool calls. */
export interface Instruments {
  readonly firstChunkLatency: Histogram;
  readonly chunkGap: Histogram;
  readonly operations: Counter;
  readonly chunks: Counter;
  readonly bytes: Counter;
  readonly slowChunks: Counter;
  readonly toolCalls: Counter;
}

export function createInstruments(meter: Meter): Instruments {
  return {
    firstChunkLatency: meter.createHistogram("dspy_connect.operation.first_chunk_latency", {
      unit: "ms",
      description: "Time from asking for an operation to its first chunk (queue time included)",
    }),
    chunkGap: meter.createHistogram("dspy_connect.operation.chunk_gap", {
      unit: "ms",
      description: "Time between two chunks of one operation",
    }),
    operations: meter.createCounter("dspy_connect.operations", { description: "Operations finished, by operation and outcome" }),
    chunks: meter.createCounter("dspy_connect.operation.chunks", { description: "Frames received from workers" }),
    bytes: meter.createCounter("dspy_connect.operation.bytes", { unit: "By", description: "Bytes of frames received from workers" }),
    slowChunks: meter.createCounter("dspy_connect.operation.slow_chunks", { description: "Chunk gaps over the slow-chunk threshold" }),
    toolCalls: meter.createCounter("dspy_connect.tool.calls", { description: "TypeScript tool calls, by tool and outcome" }),
  };
}
