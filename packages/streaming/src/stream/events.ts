import { decodeJson } from "@dspy-connect/client";
import { StepEvent_Phase, type Event as WireEvent, type StepEvent as WireStepEvent } from "@dspy-connect/core-proto";
import { errorCause } from "./error-cause.js";
import type {
  BranchTakenEvent,
  ErrorInfo,
  EventBase,
  ParallelCompleteEvent,
  ParallelStartEvent,
  PipelineCompleteEvent,
  StepCompleteEvent,
  StepErrorEvent,
  StepStartEvent,
  StreamEvent,
  TerminalEvent,
} from "./event-types.js";

export type * from "./event-types.js";

const decodeOrEmpty = (bytes: Uint8Array): unknown => (bytes.length ? decodeJson(bytes) : undefined);

/**
 * One wire event as a typed stream event, at `time` (RunClock's); undefined for kinds this
 * version does not know.
 */
export function fromWire(event: WireEvent, time: number): Exclude<StreamEvent, TerminalEvent> | undefined {
  const base = { seq: event.seq, time };
  const kind = event.kind;
  switch (kind.case) {
    case "token":
      return { type: "token", ...base, path: kind.value.path, field: kind.value.field, delta: kind.value.delta, last: kind.value.last };
    case "status":
      return { type: "status", ...base, message: kind.value.message };
    case "thought":
      return { type: "thought", ...base, path: kind.value.path, step: kind.value.step, text: kind.value.text };
    case "toolStart":
      return {
        type: "tool_start",
        ...base,
        path: kind.value.path,
        step: kind.value.step,
        callId: kind.value.callId,
        tool: kind.value.toolName,
        args: decodeOrEmpty(kind.value.argsJson),
      };
    case "observation":
      return {
        type: "observation",
        ...base,
        path: kind.value.path,
        step: kind.value.step,
        callId: kind.value.callId,
        tool: kind.value.toolName,
        observation: decodeOrEmpty(kind.value.observationJson),
        isError: kind.value.isError,
      };
    case "toolOutput": {
      const { path, step, callId, toolName, chunkJson } = kind.value;
      return { type: "tool_output", ...base, path, step, callId, tool: toolName, chunk: decodeOrEmpty(chunkJson) };
    }
    case "toolError": {
      const { path, step, callId, toolName, kind: errorKind, message } = kind.value;
      return { type: "tool_error", ...base, path, step, callId, tool: toolName, kind: errorKind, message };
    }
    case "item": {
      const { index, inputJson, outputJson, error } = kind.value;
      const input = decodeOrEmpty(inputJson);
      return error
        ? { type: "item_error", ...base, index, input, error: errorInfo(error) }
        : { type: "item_complete", ...base, index, input, output: decodeOrEmpty(outputJson) as Record<string, unknown> };
    }
    case "progress":
      return { type: "progress", ...base, completed: kind.value.completed, total: kind.value.total, failed: kind.value.failed };
    case "trial":
      return {
        type: "trial",
        ...base,
        kind: kind.value.kind,
        trial: kind.value.trial,
        total: kind.value.total,
        score: kind.value.score,
        details: (decodeOrEmpty(kind.value.detailsJson) ?? {}) as Record<string, unknown>,
      };
    case "custom":
      return { type: "custom", ...base, name: kind.value.type, data: decodeOrEmpty(kind.value.dataJson) };
    case "step":
      return stepEvent(kind.value, base);
    case "branch": {
      const { path, conditionJson, value, taken } = kind.value;
      return {
        type: "branch_taken",
        ...base,
        path,
        condition: decodeOrEmpty(conditionJson),
        value,
        taken: taken as BranchTakenEvent["taken"],
      };
    }
    default:
      return undefined;
  }
}

/** A worker's error; the code's name stands in for a cause it did not give. */
export function errorInfo(error: { code: number; message: string; cause: string; path: string }): ErrorInfo & { cause: string } {
  return {
    code: error.code,
    message: error.message,
    cause: error.cause || errorCause(error.code),
    ...(error.path && { path: error.path }),
  };
}

type StepEventKind =
  | StepStartEvent
  | StepCompleteEvent
  | StepErrorEvent
  | ParallelStartEvent
  | ParallelCompleteEvent
  | PipelineCompleteEvent;

function stepEvent(step: WireStepEvent, base: EventBase): StepEventKind | undefined {
  const { path, stepType, durationMs } = step;
  const output = (decodeOrEmpty(step.outputJson) ?? {}) as Record<string, unknown>;
  switch (step.phase) {
    case StepEvent_Phase.START:
      return { type: "step_start", ...base, path, stepType };
    case StepEvent_Phase.COMPLETE:
      // The pipeline itself reports its end as the step with the empty path.
      if (path === "" && stepType === "pipeline") return { type: "pipeline_complete", ...base, output, durationMs };
      return { type: "step_complete", ...base, path, stepType, output, durationMs };
    case StepEvent_Phase.ERROR:
      return {
        type: "step_error",
        ...base,
        path,
        stepType,
        error: errorInfo(step.error ?? { code: 13, message: "", cause: "", path }),
        durationMs,
      };
    case StepEvent_Phase.PARALLEL_START:
      return { type: "parallel_start", ...base, path, branches: Number((output as { branches?: number }).branches ?? 0) };
    case StepEvent_Phase.PARALLEL_COMPLETE:
      return { type: "parallel_complete", ...base, path, output, durationMs };
    default:
      return undefined;
  }
}
