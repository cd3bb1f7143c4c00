import type { ToolErrorKind, Usage } from "@dspy-connect/client";

// The event union, types only: the server side (RunStream) and the browser reader
// (@dspy-connect/streaming/web) share this one definition, and importing it costs no code.

/**
 * Every event has the run's sequence number (1, 2, ... with no gaps) and its time:
 * milliseconds (fractional) since the run started, from a monotonic clock, never
 * decreasing with `seq` (see RunClock).
 */
export interface EventBase {
  readonly seq: number;
  readonly time: number;
}

/** A delta of one output field's text. `path` names the predictor ("" when the module has one). */
export interface TokenEvent extends EventBase {
  readonly type: "token";
  readonly path: string;
  readonly field: string;
  readonly delta: string;
  /** True on the field's final chunk. */
  readonly last: boolean;
}

export interface StatusEvent extends EventBase {
  readonly type: "status";
  readonly message: string;
}

/** ReAct: the agent's thought at step `step` (1-based). */
export interface ThoughtEvent extends EventBase {
  readonly type: "thought";
  readonly path: string;
  readonly step: number;
  readonly text: string;
}

/** ReAct: the agent calls a tool. */
export interface ToolStartEvent extends EventBase {
  readonly type: "tool_start";
  readonly path: string;
  readonly step: number;
  readonly callId: string;
  readonly tool: string;
  readonly args: unknown;
}

/** ReAct: what the tool returned, or the error the agent saw. */
export interface ObservationEvent extends EventBase {
  readonly type: "observation";
  readonly path: string;
  readonly step: number;
  readonly callId: string;
  readonly tool: string;
  readonly observation: unknown;
  readonly isError: boolean;
}

/** A chunk a TypeScript tool streamed (yielded or `emit`ted), as it was produced. */
export interface ToolOutputEvent extends EventBase {
  readonly type: "tool_output";
  readonly path: string;
  readonly step: number;
  readonly callId: string;
  readonly tool: string;
  readonly chunk: unknown;
}

/** A tool call failed; the agent sees `message` as its observation. */
export interface ToolErrorEvent extends EventBase {
  readonly type: "tool_error";
  readonly path: string;
  readonly step: number;
  readonly callId: string;
  readonly tool: string;
  /** A ToolErrorKind, or a kind a newer worker names. */
  readonly kind: ToolErrorKind | (string & {});
  readonly message: string;
}

/** Batch: one item's output. `index` is the item's position in the input array. */
export interface ItemCompleteEvent extends EventBase {
  readonly type: "item_complete";
  readonly index: number;
  readonly input: unknown;
  readonly output: Record<string, unknown>;
}

/** Batch: one item failed; the batch goes on. */
export interface ItemErrorEvent extends EventBase {
  readonly type: "item_error";
  readonly index: number;
  readonly input: unknown;
  readonly error: ErrorInfo;
}

export interface ProgressEvent extends EventBase {
  readonly type: "progress";
  readonly completed: number;
  readonly total: number;
  readonly failed: number;
}

/**
 * Optimizer progress. kind "bootstrap": one training example tried as a demo (score = its
 * metric); "trial": one evaluation of a candidate program; "candidate": a ranked candidate
 * at the end; "best": the compiled program's score.
 */
export interface TrialEvent extends EventBase {
  readonly type: "trial";
  readonly kind: "bootstrap" | "trial" | "candidate" | "best" | (string & {});
  /** "bootstrap": the example's place in its pass over the trainset; "trial": the evaluation's number. */
  readonly trial: number;
  /** "bootstrap": the trainset's size (a pass may stop early); "trial": the evaluations planned. */
  readonly total: number;
  /** 0 to 1, for every optimizer. */
  readonly score: number | undefined;
  readonly details: Record<string, unknown>;
}

/** Composer: a pipeline step started. `path` is the step's path ("summarize", "fanout/0/answer"). */
export interface StepStartEvent extends EventBase {
  readonly type: "step_start";
  readonly path: string;
  /** "predict", "chain_of_thought", "react", "module", "branch", "parallel", "map", "pipeline". */
  readonly stepType: string;
}

/** Composer: a step finished; `output` is what it wrote into the pipeline's state. */
export interface StepCompleteEvent extends EventBase {
  readonly type: "step_complete";
  readonly path: string;
  readonly stepType: string;
  readonly output: Record<string, unknown>;
  readonly durationMs: number;
}

/**
 * Composer: a step failed. Under fail-fast the run then ends with `error`; under
 * continue-on-error or while retries remain, the pipeline goes on.
 */
export interface StepErrorEvent extends EventBase {
  readonly type: "step_error";
  readonly path: string;
  readonly stepType: string;
  readonly error: ErrorInfo;
  readonly durationMs: number;
}

/** Composer: a branch step evaluated its condition; `taken` is "then", "else" or "" (no else). */
export interface BranchTakenEvent extends EventBase {
  readonly type: "branch_taken";
  readonly path: string;
  /** The condition as sent: the contract's Condition message in protobuf JSON form. */
  readonly condition: unknown;
  readonly value: boolean;
  readonly taken: "then" | "else" | "";
}

/** Composer: a parallel step started its branches, which run at the same time. */
export interface ParallelStartEvent extends EventBase {
  readonly type: "parallel_start";
  readonly path: string;
  readonly branches: number;
}

/** Composer: every branch of a parallel step finished; `output` is the aggregate. */
export interface ParallelCompleteEvent extends EventBase {
  readonly type: "parallel_complete";
  readonly path: string;
  readonly output: Record<string, unknown>;
  readonly durationMs: number;
}

/** Composer: the whole pipeline finished; `output` is its final state (also the run's result). */
export interface PipelineCompleteEvent extends EventBase {
  readonly type: "pipeline_complete";
  readonly output: Record<string, unknown>;
  readonly durationMs: number;
}

/** An event of a user's own Python command (`run.emit(name, data)`). */
export interface CustomEvent extends EventBase {
  readonly type: "custom";
  readonly name: string;
  readonly data: unknown;
}

/** Terminal: the run finished. */
export interface DoneEvent<R = unknown> extends EventBase {
  readonly type: "done";
  readonly result: R;
  readonly usage: Usage;
}

export interface ErrorInfo {
  /** A Connect `Code` (3 InvalidArgument, 5 NotFound, 1 Canceled, 4 DeadlineExceeded, 14 Unavailable, 13 Internal...). */
  readonly code: number;
  readonly message: string;
  /** The Python exception type, when the worker reported one. */
  readonly cause?: string;
  /** Where it happened, when known: a pipeline step's path. */
  readonly path?: string;
}

/** Terminal: the run failed, was cancelled, timed out, or its worker died. */
export interface ErrorEvent extends EventBase, ErrorInfo {
  readonly type: "error";
  /** The Python exception type, or for errors the worker did not describe the code's name ("DeadlineExceeded"). */
  readonly cause: string;
}

export type StreamEvent<R = unknown> =
  | TokenEvent
  | StatusEvent
  | ThoughtEvent
  | ToolStartEvent
  | ObservationEvent
  | ToolOutputEvent
  | ToolErrorEvent
  | ItemCompleteEvent
  | ItemErrorEvent
  | ProgressEvent
  | TrialEvent
  | CustomEvent
  | StepStartEvent
  | StepCompleteEvent
  | StepErrorEvent
  | BranchTakenEvent
  | ParallelStartEvent
  | ParallelCompleteEvent
  | PipelineCompleteEvent
  | DoneEvent<R>
  | ErrorEvent;

export type TerminalEvent<R = unknown> = DoneEvent<R> | ErrorEvent;
