import { encodeJson, Session } from "@dspy-connect/client";
import { type RunStream, type StreamOptions, type StreamTarget, startStream } from "@dspy-connect/streaming";
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
      const { definition, id } = pipeline.encoded();
      return {
        operation: {
          case: "pipeline",
          value: { pipelineId: target instanceof Session ? id : "", definition, inputsJson: encodeJson(inputs, "inputs") },
        },
      };
    },
    { ...options, ...(tools.length > 0 && { tools }) },
    (value) => value as R,
  );
}
