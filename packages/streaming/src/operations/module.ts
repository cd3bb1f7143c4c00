import {
  encodeJson,
  moduleId,
  Session,
  toModuleSpec,
  type ModuleDefinition,
  type SignatureInputs,
  type SignatureOutputs,
  type WithReasoning,
} from "@dspy-connect/client";
import type { RunStream } from "../stream/run-stream.js";
import { startStream, type StreamOptions, type StreamTarget } from "../stream/target.js";

export interface StreamModuleOptions<R> extends StreamOptions<R> {
  /** Replaces the signature's instructions. */
  readonly instructions?: string;
  /** Module keyword arguments. */
  readonly config?: Readonly<Record<string, unknown>>;
  /** Saved module state to load (for example an optimizer's result). */
  readonly state?: unknown;
}

export interface StreamReactOptions<R> extends StreamModuleOptions<R> {
  /** Python tools by name, from the worker's allowlisted registry. */
  readonly tools: readonly string[];
  /** Most reasoning/tool steps before the agent must answer. DSPy's default is 20. */
  readonly maxIters?: number;
}

export type ReactResult<O> = O & { readonly trajectory: Readonly<Record<string, unknown>> };

/**
 * Streams any module the worker knows. In a session, the module instance is kept and
 * reused by later calls with the same definition.
 */
export function streamModule<O = Record<string, unknown>>(
  target: StreamTarget,
  module: ModuleDefinition,
  inputs: Readonly<Record<string, unknown>>,
  options: StreamOptions<O> = {},
): RunStream<O> {
  return startStream<O>(
    target,
    () => ({
      operation: {
        case: "module",
        value: {
          module: toModuleSpec(module),
          moduleId: target instanceof Session ? moduleId(module) : "",
          inputsJson: encodeJson(inputs, "inputs"),
        },
      },
    }),
    options,
    (value) => value as O,
  );
}

/** dspy.Predict, streamed: token events per output field, then the typed outputs. */
export function streamPredict<S extends string>(
  target: StreamTarget,
  signature: S,
  inputs: SignatureInputs<S>,
  options: StreamModuleOptions<SignatureOutputs<S>> = {},
): RunStream<SignatureOutputs<S>> {
  return streamModule(target, definition("predict", signature, options), inputs, options);
}

/** dspy.ChainOfThought, streamed: `reasoning` tokens, then each output field's tokens. */
export function streamChainOfThought<S extends string>(
  target: StreamTarget,
  signature: S,
  inputs: SignatureInputs<S>,
  options: StreamModuleOptions<WithReasoning<SignatureOutputs<S>>> = {},
): RunStream<WithReasoning<SignatureOutputs<S>>> {
  return streamModule(target, definition("chain_of_thought", signature, options), inputs, options);
}

/** dspy.ReAct with Python tools: a thought, tool_start and observation event at every step. */
export function streamReact<S extends string>(
  target: StreamTarget,
  signature: S,
  inputs: SignatureInputs<S>,
  options: StreamReactOptions<ReactResult<SignatureOutputs<S>>>,
): RunStream<ReactResult<SignatureOutputs<S>>> {
  const config = { ...options.config, ...(options.maxIters !== undefined && { max_iters: options.maxIters }) };
  return streamModule(target, { ...definition("react", signature, { ...options, config }), tools: options.tools }, inputs, options);
}

function definition(
  type: string,
  signature: string,
  options: Pick<StreamModuleOptions<never>, "instructions" | "config" | "state">,
): ModuleDefinition {
  return {
    type,
    signature,
    ...(options.instructions !== undefined && { instructions: options.instructions }),
    ...(options.config !== undefined && Object.keys(options.config).length > 0 && { config: options.config }),
    ...(options.state !== undefined && { state: options.state }),
  };
}
