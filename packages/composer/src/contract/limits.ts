import { getOption } from "@bufbuild/protobuf";
import { file_dspy_connect_v1_pipeline, type PipelineLimits, pipeline_limits } from "@dspy-connect/core-proto";

// The bounds of a pipeline definition, read from pipeline.proto's `pipeline_limits` file
// option. The worker reads the same option, so each bound is written once, there.

export const LIMITS: PipelineLimits = getOption(file_dspy_connect_v1_pipeline, pipeline_limits);

/** Pipeline and step names. */
export const STEP_NAME = whole(LIMITS.stepNamePattern);
/** A state field name, and the first part of a reference. */
export const FIELD_NAME = whole(LIMITS.fieldNamePattern);
/** A list index in a reference. */
export const INDEX = whole(LIMITS.indexPattern);

function whole(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`);
}
