import { Code, ConnectError, isRunTool, isSession, type ModuleDefinition } from "@dspy-connect/client";
import { moduleOptions } from "@dspy-connect/client/internal";
import {
  executeStream,
  type MetricName,
  type OptimizerSpec,
  RunStream,
  type StreamOptions,
  type StreamTarget,
  streamBatch,
  streamModule,
  streamOptimization,
  type ToolRef,
} from "@dspy-connect/streaming";
import { failed } from "@dspy-connect/streaming/internal";
import { type AnyPipeline, Pipeline } from "../pipeline/pipeline.js";
import { runPipeline } from "../run/run-pipeline.js";

/** How `stream()` runs an operation. */
export type StreamRoute = "direct" | "composer" | "tool_bridge";

/** What `stream()` may be given; which fields matter depends on the operation. */
export interface StreamArgs {
  /** A composer pipeline: the composer route. */
  readonly pipeline?: AnyPipeline;
  /** A module's or pipeline's inputs. */
  readonly inputs?: Readonly<Record<string, unknown>>;
  /** A module's signature: the operation is then a module type ("predict", "react", ...). */
  readonly signature?: string;
  readonly instructions?: string;
  readonly config?: Readonly<Record<string, unknown>>;
  readonly state?: unknown;
  /** TypeScript tools (or session tool ids) route through the tool bridge; names of Python tools do not. */
  readonly tools?: readonly ToolRef[];
  /** "batch": the module and its items. */
  readonly module?: ModuleDefinition;
  readonly items?: readonly Readonly<Record<string, unknown>>[];
  readonly concurrency?: number;
  readonly ordered?: boolean;
  /** "optimize": the program, its trainset, a named metric and the optimizer. */
  readonly program?: ModuleDefinition;
  readonly trainset?: readonly Readonly<Record<string, unknown>>[];
  readonly metric?: MetricName;
  readonly optimizer?: OptimizerSpec;
  /** A command's arguments. */
  readonly args?: unknown;
}

export type UnifiedStream = RunStream<unknown> & { readonly route: StreamRoute };

/**
 * The route an operation takes, in this order:
 * 1. `composer` when it is a pipeline (`operation` or `args.pipeline`): the whole pipeline
 *    runs in one worker call, streaming its steps.
 * 2. `tool_bridge` when `args.tools` holds a TypeScript tool (or a session tool id): the run
 *    answers the worker's tool calls on its own stream.
 * 3. `direct` otherwise: a module, batch, optimizer or command streamed as it runs.
 */
export function streamRoute(target: StreamTarget, operation: string | AnyPipeline, args: StreamArgs = {}): StreamRoute {
  if (operation instanceof Pipeline || args.pipeline) return "composer";
  const session = isSession(target) ? target : undefined;
  const bridged = (args.tools ?? []).some((ref) => (typeof ref === "string" ? session?.tools.get(ref) !== undefined : isRunTool(ref)));
  return bridged ? "tool_bridge" : "direct";
}

/**
 * One entry point for every streaming operation. `operation` is a pipeline, a module type
 * (with `args.signature`), "batch", "optimize", or a command registered in the worker.
 * The stream's `route` says which way it went (see `streamRoute`).
 */
export function stream(
  target: StreamTarget & { readonly readyWorkers?: number },
  operation: string | AnyPipeline,
  args: StreamArgs = {},
  options: StreamOptions<unknown> = {},
): UnifiedStream {
  const route = streamRoute(target, operation, args);
  const withTools = { ...options, ...(args.tools && { tools: args.tools }) };
  return Object.assign(open(target, operation, args, withTools), { route });
}

function open(
  target: StreamTarget & { readonly readyWorkers?: number },
  operation: string | AnyPipeline,
  args: StreamArgs,
  options: StreamOptions<unknown>,
): RunStream<unknown> {
  const pipeline = operation instanceof Pipeline ? operation : args.pipeline;
  if (pipeline) return runPipeline(target, pipeline, args.inputs ?? {}, options);
  const name = operation as string;
  if (args.signature !== undefined) {
    const toolNames = (args.tools ?? []).map((ref) => (typeof ref === "string" ? ref : ref.name));
    const module: ModuleDefinition = {
      type: name,
      signature: args.signature,
      ...moduleOptions(args),
      ...(toolNames.length > 0 && { tools: toolNames }),
    };
    return streamModule(target, module, args.inputs ?? {}, options);
  }
  if (name === "batch") {
    if (!args.module || !args.items) return invalid("batch needs `module` and `items`");
    return streamBatch(target, args.module, args.items, {
      ...options,
      concurrency: args.concurrency,
      ordered: args.ordered,
    }) as RunStream<unknown>;
  }
  if (name === "optimize") {
    if (!args.program || !args.trainset || !args.metric || !args.optimizer)
      return invalid("optimize needs `program`, `trainset`, `metric` and `optimizer`");
    return streamOptimization(target, args.program, args.trainset, args.metric, args.optimizer, options) as RunStream<unknown>;
  }
  return executeStream(target, name, args.args ?? {}, options);
}

function invalid(message: string): RunStream<unknown> {
  return new RunStream(failed(new ConnectError(message, Code.InvalidArgument)));
}
