export { RunStream, type EventHandler } from "./stream/run-stream.js";
export type { StreamOptions, StreamTarget } from "./stream/target.js";
/** For packages that add operations (the composer): opens a run and wraps it as a RunStream. */
export { failed, startStream } from "./stream/target.js";
export { strictJson, type ToolRef } from "./stream/tool-calls.js";
export type {
  CustomEvent,
  DoneEvent,
  ErrorEvent,
  ErrorInfo,
  ItemCompleteEvent,
  ItemErrorEvent,
  ObservationEvent,
  ProgressEvent,
  StatusEvent,
  StreamEvent,
  TerminalEvent,
  ThoughtEvent,
  TokenEvent,
  ToolErrorEvent,
  ToolOutputEvent,
  ToolStartEvent,
  TrialEvent,
  Usage,
  StepStartEvent,
  StepCompleteEvent,
  StepErrorEvent,
  BranchTakenEvent,
  ParallelStartEvent,
  ParallelCompleteEvent,
  PipelineCompleteEvent,
} from "./stream/events.js";
export {
  streamChainOfThought,
  streamModule,
  streamPredict,
  streamReact,
  type ReactResult,
  type StreamModuleOptions,
  type StreamReactOptions,
} from "./operations/module.js";
export { streamBatch, streamBatchPredict, type BatchOptions, type BatchSummary } from "./operations/batch.js";
export {
  streamOptimization,
  type BootstrapFewShotConfig,
  type MetricName,
  type MiproV2Config,
  type OptimizationResult,
  type OptimizerSpec,
  type StreamOptimizationOptions,
} from "./operations/optimize.js";
export { executeStream } from "./operations/command.js";
