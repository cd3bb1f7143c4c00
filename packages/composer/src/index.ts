export {
  type Aggregator,
  type AggregatorSpec,
  type AggregatorTag,
  bestBy,
  concat,
  firstNonEmpty,
  majorityVote,
  mergeObjects,
} from "./aggregators/aggregators.js";
export {
  and,
  Condition,
  type ConditionNode,
  field,
  type JsonScalar,
  type Literal,
  len,
  not,
  or,
  Value,
  type ValueNode,
  value,
} from "./conditions/conditions.js";
export {
  type AnyPipeline,
  type ErrorPolicy,
  type MapOptions,
  type ModuleStepOptions,
  Pipeline,
  type PipelineDefinition,
  type PipelineInputs,
  type PipelineResult,
  pipeline,
  type ReactStepOptions,
  type StepOptions,
  type StepSpec,
} from "./pipeline/pipeline.js";
export type { Fields, PipelineTypeError, StateOf } from "./pipeline/types.js";
export { type PipelineRunOptions, type PipelineTarget, runPipeline } from "./run/run-pipeline.js";
export { type RouteArgs, type StreamRoute, stream, streamRoute, type UnifiedStream } from "./unified/stream.js";
export type {
  BatchArgs,
  CommandArgs,
  ModuleArgs,
  ModuleResult,
  NamedPipelineArgs,
  OptimizeArgs,
  PipelineArgs,
  StreamArgs,
  UnifiedTarget,
} from "./unified/stream-args.js";
