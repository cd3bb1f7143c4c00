/** What every telemetry event says about its operation. */
interface TelemetryEventBase {
  /** "module", "batch", "optimize", "pipeline", "command" (streams), "call" (unary) or "tool". */
  readonly operation: string;
  /** The module type, optimizer, pipeline, command or tool name. */
  readonly name: string;
  /** Unique within this process. */
  readonly id: string;
  readonly workerId: string | undefined;
  readonly sessionId: string | undefined;
  /** Unix time in ms. */
  readonly time: number;
  /** Since the operation was asked for (queue time included). */
  readonly sinceStartMs: number;
}

export interface StartEvent extends TelemetryEventBase {
  readonly type: "start";
}

/** A frame from the worker: one or more stream events, or a tool call. */
export interface ChunkEvent extends TelemetryEventBase {
  readonly type: "chunk";
  /** Since the previous chunk (since the start for the first one). */
  readonly sincePreviousMs: number;
  readonly bytes: number;
  /** Stream events in the frame (0 for a tool call). */
  readonly events: number;
  readonly first: boolean;
}

export interface CompleteEvent extends TelemetryEventBase {
  readonly type: "complete";
  readonly chunks: number;
  readonly bytes: number;
}

export interface ErrorEvent extends TelemetryEventBase {
  readonly type: "error";
  /** A Connect code (1 Canceled, 4 DeadlineExceeded, 13 Internal, 14 Unavailable, ...), or the tool's error kind. */
  readonly code: number | string;
  readonly message: string;
  readonly chunks: number;
  readonly bytes: number;
}

export type TelemetryEvent = StartEvent | ChunkEvent | CompleteEvent | ErrorEvent;

/** A gap between two chunks of one operation longer than the threshold. */
export interface SlowChunk {
  readonly operation: string;
  readonly name: string;
  readonly id: string;
  readonly workerId: string | undefined;
  readonly gapMs: number;
  readonly thresholdMs: number;
}
