import { encodeJson, isSession } from "@dspy-connect/client";
import type { RunStream, StreamOptions, StreamTarget } from "@dspy-connect/streaming";
import { startStream } from "@dspy-connect/streaming/internal";
import type { AnyPipeline } from "../pipeline/pipeline.js";

/** A client (least-loaded worker) or a session (its worker keeps the compiled pipeline). */
export type PipelineTarget = StreamTarget;

export type PipelineRunOptions<R> = StreamOptions<R>;

/**
 * Runs a pipeline in one worker call and streams its events. In a session the definition
 * is stored under its id on first run and reused after (created once, run many times).
 */
export function runPipeline<R>(
  target: PipelineTarget,
  pipeline: AnyPipeline,
  inputs: unknown,
  options: PipelineRunOptions<R> = {},
): RunStream<R> {
  const tools = [...pipeline.tools, ...(options.tools ?? [])];
  return startStream<R>(
    target,
    () => {
      const { json, id } = pipeline.encoded();
      return {
        operation: {
          case: "pipeline",
          value: { pipelineId: isSession(target) ? id : "", definitionJson: json, inputsJson: encodeJson(inputs, "inputs") },
        },
      };
    },
    { ...options, ...(tools.length > 0 && { tools }) },
    (value) => value as R,
  );
}
