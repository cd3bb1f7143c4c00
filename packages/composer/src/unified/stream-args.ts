import type { ModuleDefinition, SignatureInputs, SignatureOutputs } from "@dspy-connect/client";
import type { MetricName, OptimizerSpec, StreamTarget, ToolRef } from "@dspy-connect/streaming";
import type { AnyPipeline, PipelineInputs } from "../pipeline/pipeline.js";

// What `stream()` takes and returns, one shape per operation: the overloads of stream()
// pick the shape from `operation`, so `result` has the operation's type.

/** Where `stream()` runs: a client (its ready workers spread a batch) or a session. */
export type UnifiedTarget = StreamTarget & { readonly readyWorkers?: number };

/** Module types every worker has. Any other name with a `signature` is a module type registered in the worker. */
export const BUILT_IN_MODULE_TYPES = ["predict", "chain_of_thought", "react"] as const;
export type BuiltInModuleType = (typeof BUILT_IN_MODULE_TYPES)[number];

/** Operation names `stream()` gives a meaning of its own. */
export type ReservedOperation = BuiltInModuleType | "batch" | "optimize" | "pipeline";
/** A name that is none of the reserved ones: a registered module type or a command. */
export type RegisteredName<N extends string> = N extends ReservedOperation ? never : N;

export interface ModuleArgs<S extends string> {
  /** "question: str, context: list[str] -> answer: int" */
  readonly signature: S;
  readonly inputs: SignatureInputs<S>;
  readonly instructions?: string;
  readonly config?: Readonly<Record<string, unknown>>;
  readonly state?: unknown;
  /** TypeScript tools (or session tool ids) route through the tool bridge; names of Python tools do not. */
  readonly tools?: readonly ToolRef[];
}

export interface PipelineArgs<P extends AnyPipeline> {
  readonly inputs: PipelineInputs<P>;
  readonly tools?: readonly ToolRef[];
}

export interface NamedPipelineArgs<P extends AnyPipeline> extends PipelineArgs<P> {
  readonly pipeline: P;
}

export interface BatchArgs {
  readonly module: ModuleDefinition;
  readonly items: readonly Readonly<Record<string, unknown>>[];
  readonly concurrency?: number;
  readonly ordered?: boolean;
  readonly tools?: readonly ToolRef[];
}

export interface OptimizeArgs {
  readonly program: ModuleDefinition;
  readonly trainset: readonly Readonly<Record<string, unknown>>[];
  readonly metric: MetricName;
  readonly optimizer: OptimizerSpec;
  /** Examples held out for evaluation (MIPROv2). */
  readonly valset?: readonly Readonly<Record<string, unknown>>[];
}

export interface CommandArgs {
  /** The command's arguments (JSON). */
  readonly args?: unknown;
  readonly tools?: readonly ToolRef[];
}

/** Any one operation's arguments. */
export type StreamArgs =
  | ModuleArgs<string>
  | PipelineArgs<AnyPipeline>
  | NamedPipelineArgs<AnyPipeline>
  | BatchArgs
  | OptimizeArgs
  | CommandArgs;

/** A registered module type's result: its signature's outputs, and whatever else it returns. */
export type ModuleResult<S extends string> = SignatureOutputs<S> & Readonly<Record<string, unknown>>;
