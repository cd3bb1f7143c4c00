export {
  pipeline,
  Pipeline,
  type AnyPipeline,
  type ErrorPolicy,
  type MapOptions,
  type ModuleStepOptions,
  type PipelineDefinition,
  type ReactStepOptions,
  type StepOptions,
  type StepSpec,
} from "./pipeline/pipeline.js";
export type { Fields, PipelineTypeError, StateOf } from "./pipeline/types.js";
export {
  and,
  Condition,
  field,
  len,
  not,
  or,
  value,
  Value,
  type ConditionNode,
  type JsonScalar,
  type Literal,
  type ValueNode,
} from "./conditions/conditions.js";
export {
  bestBy,
  concat,
  firstNonEmpty,
  majorityVote,
  mergeObjects,
  type Aggregator,
  type AggregatorSpec,
  type AggregatorTag,
} from "./aggregators/aggregators.js";
export { runPipeline, type PipelineRunOptions, type PipelineTarget } from "./run/run-pipeline.js";
export { stream, streamRoute, type StreamArgs, type StreamRoute, type UnifiedStream } from "./unified/stream.js";
