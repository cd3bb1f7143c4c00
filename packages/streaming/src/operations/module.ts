import {
  encodeJson,
  isSession,
  type ModuleDefinition,
  moduleId,
  type SignatureInputs,
  type SignatureOutputs,
  type ToolRef,
  toModuleSpec,
  type WithReasoning,
} from "@dspy-connect/client";
import { moduleOptions, type ResolvedTools } from "@dspy-connect/client/internal";
import type { RunStream } from "../stream/run-stream.js";
import { type StreamOptions, type StreamTarget, startStream } from "../stream/target.js";

export interface StreamModuleOptions<R> extends StreamOptions<R> {
  /** Replaces the signature's instructions. */
  readonly instructions?: string;
  /** Module keyword arguments. */
  readonly config?: Readonly<Record<string, unknown>>;
  /** Saved module state to load (for example an optimizer's result). */
  readonly state?: unknown;
}

export interface StreamReactOptions<R> extends StreamModuleOptions<R> {
  /**
   * The agent's tools, mixed freely: TypeScript tools (`defineTool`, called over the run's
   * stream), ids of the session's tools, and names of Python tools from the worker's
   * allowlist (these stay in Python).
   */
  readonly tools: readonly ToolRef[];
  /** Most reasoning/tool steps before the agent must answer. DSPy's default is 20. */
  readonly maxIters?: number;
}

export type ReactResult<O> = O & { readonly trajectory: Readonly<Record<string, unknown>> };

/**
 * Streams any module the worker knows. In a session, the module instance is kept and
 * reused by later calls with the same definition. For an agent type registered in the
 * worker, `module.tools` names its tools and `options.tools` brings the TypeScript ones.
 */
export function streamModule<O = Record<string, unknown>>(
  target: StreamTarget,
  module: ModuleDefinition,
  inputs: Readonly<Record<string, unknown>>,
  options: StreamOptions<O> = {},
): RunStream<O> {
  return moduleStream(target, () => module, inputs, options);
}

function moduleStream<O>(
  target: StreamTarget,
  makeModule: (tools: ResolvedTools) => ModuleDefinition,
  inputs: Readonly<Record<string, unknown>>,
  options: StreamOptions<O>,
): RunStream<O> {
  return startStream<O>(
    target,
    (tools) => {
      const module = makeModule(tools);
      const value = {
        module: toModuleSpec(module),
        moduleId: isSession(target) ? moduleId(module) : "",
        inputsJson: encodeJson(inputs, "inputs"),
      };
      return { operation: { case: "module", value } };
    },
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
  return streamModule(target, { type: "predict", signature, ...moduleOptions(options) }, inputs, options);
}

/** dspy.ChainOfThought, streamed: `reasoning` tokens, then each output field's tokens. */
export function streamChainOfThought<S extends string>(
  target: StreamTarget,
  signature: S,
  inputs: SignatureInputs<S>,
  options: StreamModuleOptions<WithReasoning<SignatureOutputs<S>>> = {},
): RunStream<WithReasoning<SignatureOutputs<S>>> {
  return streamModule(target, { type: "chain_of_thought", signature, ...moduleOptions(options) }, inputs, options);
}

/**
 * dspy.ReAct with TypeScript and Python tools: a thought, tool_start and observation event
 * at every step, tool_output for each chunk a TypeScript tool streams, tool_error when a
 * tool fails (the agent sees the error as its observation, as in DSPy).
 */
export function streamReact<S extends string>(
  target: StreamTarget,
  signature: S,
  inputs: SignatureInputs<S>,
  options: StreamReactOptions<ReactResult<SignatureOutputs<S>>>,
): RunStream<ReactResult<SignatureOutputs<S>>> {
  const config = { ...options.config, ...(options.maxIters !== undefined && { max_iters: options.maxIters }) };
  return moduleStream(
    target,
    (tools) => ({ type: "react", signature, ...moduleOptions({ ...options, config }), tools: tools.names }),
    inputs,
    options,
  );
}
