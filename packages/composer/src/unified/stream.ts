import {
  Code,
  ConnectError,
  isRunTool,
  isSession,
  type ModuleDefinition,
  type SignatureOutputs,
  type WithReasoning,
} from "@dspy-connect/client";
import { moduleOptions } from "@dspy-connect/client/internal";
import {
  type BatchSummary,
  executeStream,
  type OptimizationResult,
  type ReactResult,
  RunStream,
  type StreamOptions,
  type StreamTarget,
  streamBatch,
  streamModule,
  streamOptimization,
  type ToolRef,
} from "@dspy-connect/streaming";
import { failed } from "@dspy-connect/streaming/internal";
import { type AnyPipeline, Pipeline, type PipelineResult } from "../pipeline/pipeline.js";
import { runPipeline } from "../run/run-pipeline.js";
import { missingArgs } from "./missing-args.js";
import {
  type BatchArgs,
  BUILT_IN_MODULE_TYPES,
  type CommandArgs,
  type ModuleArgs,
  type ModuleResult,
  type NamedPipelineArgs,
  type OptimizeArgs,
  type PipelineArgs,
  type RegisteredName,
  type UnifiedTarget,
} from "./stream-args.js";

/** How `stream()` runs an operation. */
export type StreamRoute = "direct" | "composer" | "tool_bridge";

export type UnifiedStream<R = unknown> = RunStream<R> & { readonly route: StreamRoute };

/** What the route depends on. */
export interface RouteArgs {
  readonly pipeline?: AnyPipeline;
  readonly tools?: readonly ToolRef[];
}

/**
 * The route an operation takes, in this order:
 * 1. `composer` when it is a pipeline (`operation` or `args.pipeline`): the whole pipeline
 *    runs in one worker call, streaming its steps.
 * 2. `tool_bridge` when `args.tools` holds a TypeScript tool (or a session tool id): the run
 *    answers the worker's tool calls on its own stream.
 * 3. `direct` otherwise: a module, batch, optimizer or command streamed as it runs.
 */
export function streamRoute(target: StreamTarget, operation: string | AnyPipeline, args: RouteArgs = {}): StreamRoute {
  if (operation instanceof Pipeline || args.pipeline) return "composer";
  const session = isSession(target) ? target : undefined;
  const bridged = (args.tools ?? []).some((ref) => (typeof ref === "string" ? session?.tools.get(ref) !== undefined : isRunTool(ref)));
  return bridged ? "tool_bridge" : "direct";
}

/**
 * One entry point for every streaming operation: a pipeline (or "pipeline" with
 * `args.pipeline`), a module type with `args.signature` ("predict", "chain_of_thought",
 * "react" or one registered in the worker), "batch", "optimize", or a command registered
 * in the worker. Each operation has its own arguments and its own result type; a missing
 * argument ends the stream with InvalidArgument naming it. The stream's `route` says which
 * way it went (see `streamRoute`).
 */
export function stream<P extends AnyPipeline>(
  target: UnifiedTarget,
  operation: P,
  args: PipelineArgs<P>,
  options?: StreamOptions<PipelineResult<P>>,
): UnifiedStream<PipelineResult<P>>;
export function stream<P extends AnyPipeline>(
  target: UnifiedTarget,
  operation: "pipeline",
  args: NamedPipelineArgs<P>,
  options?: StreamOptions<PipelineResult<P>>,
): UnifiedStream<PipelineResult<P>>;
export function stream<const S extends string>(
  target: UnifiedTarget,
  operation: "predict",
  args: ModuleArgs<S>,
  options?: StreamOptions<SignatureOutputs<S>>,
): UnifiedStream<SignatureOutputs<S>>;
export function stream<const S extends string>(
  target: UnifiedTarget,
  operation: "chain_of_thought",
  args: ModuleArgs<S>,
  options?: StreamOptions<WithReasoning<SignatureOutputs<S>>>,
): UnifiedStream<WithReasoning<SignatureOutputs<S>>>;
export function stream<const S extends string>(
  target: UnifiedTarget,
  operation: "react",
  args: ModuleArgs<S>,
  options?: StreamOptions<ReactResult<SignatureOutputs<S>>>,
): UnifiedStream<ReactResult<SignatureOutputs<S>>>;
export function stream(
  target: UnifiedTarget,
  operation: "batch",
  args: BatchArgs,
  options?: StreamOptions<BatchSummary>,
): UnifiedStream<BatchSummary>;
export function stream(
  target: UnifiedTarget,
  operation: "optimize",
  args: OptimizeArgs,
  options?: StreamOptions<OptimizationResult>,
): UnifiedStream<OptimizationResult>;
export function stream<const T extends string, const S extends string>(
  target: UnifiedTarget,
  operation: RegisteredName<T>,
  args: ModuleArgs<S>,
  options?: StreamOptions<ModuleResult<S>>,
): UnifiedStream<ModuleResult<S>>;
export function stream<R = unknown, const C extends string = string>(
  target: UnifiedTarget,
  operation: RegisteredName<C>,
  args?: CommandArgs,
  options?: StreamOptions<R>,
): UnifiedStream<R>;
export function stream(
  target: UnifiedTarget,
  operation: string | AnyPipeline,
  args: LooseArgs = {},
  // biome-ignore lint/suspicious/noExplicitAny: each overload has its own result type; the implementation serves them all.
  options: StreamOptions<any> = {},
  // biome-ignore lint/suspicious/noExplicitAny: as above
): UnifiedStream<any> {
  const route = streamRoute(target, operation, args);
  const withTools = { ...options, ...(args.tools && { tools: args.tools }) };
  return Object.assign(open(target, operation, args, withTools), { route });
}

/** Every operation's arguments at once: what the implementation reads. */
type LooseArgs = Partial<Omit<ModuleArgs<string> & NamedPipelineArgs<AnyPipeline> & BatchArgs & OptimizeArgs & CommandArgs, "inputs">> & {
  readonly inputs?: unknown;
};

function open(
  target: UnifiedTarget,
  operation: string | AnyPipeline,
  args: LooseArgs,
  options: StreamOptions<unknown>,
): RunStream<unknown> {
  const pipeline = operation instanceof Pipeline ? operation : args.pipeline;
  const name = operation instanceof Pipeline ? "pipeline" : operation;
  if (pipeline) return checked(name, args, ["inputs"]) ?? runPipeline(target, pipeline, args.inputs, options);
  if (name === "pipeline") return invalid(missingArgs(name, args, ["pipeline", "inputs"])!);
  if (args.signature !== undefined || (BUILT_IN_MODULE_TYPES as readonly string[]).includes(name)) {
    const problem = checked(name, args, ["signature", "inputs"]);
    if (problem) return problem;
    const toolNames = (args.tools ?? []).map((ref) => (typeof ref === "string" ? ref : ref.name));
    const module: ModuleDefinition = {
      type: name,
      signature: args.signature!,
      ...moduleOptions(args),
      ...(toolNames.length > 0 && { tools: toolNames }),
    };
    return streamModule(target, module, args.inputs as Readonly<Record<string, unknown>>, options);
  }
  if (name === "batch") {
    const problem = checked(name, args, ["module", "items"]);
    if (problem) return problem;
    return streamBatch(target, args.module!, args.items!, {
      ...(options as StreamOptions<BatchSummary>),
      concurrency: args.concurrency,
      ordered: args.ordered,
    }) as RunStream<unknown>;
  }
  if (name === "optimize") {
    const problem = checked(name, args, ["program", "trainset", "metric", "optimizer"]);
    if (problem) return problem;
    return streamOptimization(target, args.program!, args.trainset!, args.metric!, args.optimizer!, {
      ...(options as StreamOptions<OptimizationResult>),
      ...(args.valset && { valset: args.valset }),
    }) as RunStream<unknown>;
  }
  return executeStream(target, name, args.args ?? {}, options);
}

function checked(operation: string, args: LooseArgs, needed: readonly string[]): RunStream<unknown> | undefined {
  const message = missingArgs(operation, args, needed);
  return message === undefined ? undefined : invalid(message);
}

function invalid(message: string): RunStream<unknown> {
  return new RunStream(failed(new ConnectError(message, Code.InvalidArgument)));
}
