export type { ToolRef, Usage } from "@dspy-connect/client";
export { type BatchOptions, type BatchSummary, streamBatch, streamBatchPredict } from "./operations/batch.js";
export { executeStream } from "./operations/command.js";
export {
  type ReactResult,
  type StreamModuleOptions,
  type StreamReactOptions,
  streamChainOfThought,
  streamModule,
  streamPredict,
  streamReact,
} from "./operations/module.js";
export {
  type BootstrapFewShotConfig,
  type MetricName,
  type MiproV2Config,
  type OptimizationResult,
  type OptimizerSpec,
  type StreamOptimizationOptions,
  streamOptimization,
} from "./operations/optimize.js";
export { type SendSSEOptions, sendSSE } from "./sse/send-sse.js";
export type { SSEOptions, SSEResponseInit } from "./sse/sse-readable.js";
export type { EventStream } from "./stream/event-stream.js";
export type {
  BranchTakenEvent,
  CustomEvent,
  DoneEvent,
  ErrorEvent,
  ErrorInfo,
  ItemCompleteEvent,
  ItemErrorEvent,
  ObservationEvent,
  ParallelCompleteEvent,
  ParallelStartEvent,
  PipelineCompleteEvent,
  ProgressEvent,
  StatusEvent,
  StepCompleteEvent,
  StepErrorEvent,
  StepStartEvent,
  StreamEvent,
  TerminalEvent,
  ThoughtEvent,
  TokenEvent,
  ToolErrorEvent,
  ToolOutputEvent,
  ToolStartEvent,
  TrialEvent,
} from "./stream/events.js";
export type { PullOptions } from "./stream/pull-readable.js";
export { type EventHandler, RunStream } from "./stream/run-stream.js";
export type { StreamOptions, StreamTarget } from "./stream/target.js";
