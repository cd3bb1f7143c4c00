import { encodeJson, isSession } from "@dspy-connect/client";
import type { PipelineDefinition } from "@dspy-connect/core-proto";
import type { RunStream, StreamOptions, StreamTarget, ToolRef } from "@dspy-connect/streaming";
import { startStream } from "@dspy-connect/streaming/internal";

/** A client (least-loaded worker) or a session (its worker keeps the compiled pipeline). */
export type PipelineTarget = StreamTarget;

export type PipelineRunOptions<R> = StreamOptions<R>;

/** What running needs of a pipeline (structural: the builder depends on this file, not back). */
export interface RunnablePipeline {
  readonly tools: readonly ToolRef[];
  encoded(): { definition: PipelineDefinition; id: string };
}

/**
 * Runs a pipeline in one worker call and streams its events. In a session the definition
 * is stored under its id on first run and reused after (created once, run many times).
 */
export function runPipeline<R>(
  target: PipelineTarget,
  pipeline: RunnablePipeline,
  inputs: unknown,
  options: PipelineRunOptions<R> = {},
): RunStream<R> {
  const tools = [...pipeline.tools, ...(options.tools ?? [])];
  return startStream<R>(
    target,
    () => {
      const { definition, id } = pipeline.encoded();
      return {
        operation: {
          case: "pipeline",
          value: { pipelineId: isSession(target) ? id : "", definition, inputsJson: encodeJson(inputs, "inputs") },
        },
      };
    },
    { ...options, ...(tools.length > 0 && { tools }) },
    (value) => value as R,
  );
}
