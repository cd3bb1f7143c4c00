import { type Channel, channel } from "node:diagnostics_channel";
import type { CallRequest, RunResponse, RunStart, ToolCall } from "@dspy-connect/core-proto";

/**
 * Hooks for telemetry, on `node:diagnostics_channel`: publishing to a channel nobody
 * subscribes to costs almost nothing, so the client pays nothing until something
 * (such as `@dspy-connect/telemetry`) subscribes. Messages are published synchronously:
 * a start subscriber may set `trace` on the outgoing message before it is sent.
 */

/** One operation (a Run or a unary Call) as the hooks see it. */
export interface OperationInfo {
  /** Unique within this process. */
  readonly id: string;
  /** "module", "batch", "optimize", "pipeline", "command" (a Run) or "call" (unary). */
  readonly operation: string;
  /** The module type, pipeline name or command, when there is one. */
  readonly name: string;
  readonly sessionId: string | undefined;
  /** Set once a worker is leased. */
  workerId: string | undefined;
  /** performance.now() when the operation was asked for (queue time included). */
  readonly startedAt: number;
}

export interface RunStartMessage {
  readonly info: OperationInfo;
  /** The message about to be sent; `trace` may be set. */
  readonly start: RunStart;
}

export interface RunFrameMessage {
  readonly info: OperationInfo;
  readonly response: RunResponse;
  /** The frame's encoded size. */
  readonly bytes: number;
  readonly at: number;
}

export interface OperationEndMessage {
  readonly info: OperationInfo;
  /** Set when it failed (a ConnectError). */
  readonly error: Error | undefined;
  readonly at: number;
}

export interface CallStartMessage {
  readonly info: OperationInfo;
  /** The request about to be sent; `trace` may be set. */
  readonly request: CallRequest;
}

/** A TypeScript tool call from a worker, as its run answers it. */
export interface ToolCallInfo {
  readonly run: OperationInfo | undefined;
  readonly call: ToolCall;
  readonly startedAt: number;
}

export interface ToolEndMessage {
  readonly info: ToolCallInfo;
  /** Set when the tool failed; `kind` as in the tool_error event. */
  readonly error: { readonly kind: string; readonly message: string } | undefined;
  readonly at: number;
}

/** A worker joined the pool (found by DNS), started draining (its address left), or left. */
export interface PoolMemberMessage {
  readonly workerId: string;
  readonly change: "joined" | "draining" | "left";
}

/** What each channel carries. */
export interface DiagnosticsMessages {
  "dspy-connect:run:start": RunStartMessage;
  "dspy-connect:run:frame": RunFrameMessage;
  "dspy-connect:run:end": OperationEndMessage;
  "dspy-connect:call:start": CallStartMessage;
  "dspy-connect:call:end": OperationEndMessage;
  "dspy-connect:tool:start": ToolCallInfo;
  "dspy-connect:tool:end": ToolEndMessage;
  "dspy-connect:pool:member": PoolMemberMessage;
}
export type DiagnosticsChannel = keyof DiagnosticsMessages;

const channels = new Map<DiagnosticsChannel, Channel>();

export function diagnosticsChannel(name: DiagnosticsChannel): Channel {
  let found = channels.get(name);
  if (!found) {
    found = channel(name);
    channels.set(name, found);
  }
  return found;
}

/** True when someone listens: publishers skip building messages otherwise. */
export function observed(name: DiagnosticsChannel): boolean {
  return diagnosticsChannel(name).hasSubscribers;
}

export function publish<N extends DiagnosticsChannel>(name: N, message: DiagnosticsMessages[N]): void {
  const target = diagnosticsChannel(name);
  if (target.hasSubscribers) target.publish(message);
}

/** Subscribes to a channel with a typed listener; returns the unsubscribe. */
export function subscribe<N extends DiagnosticsChannel>(name: N, listener: (message: DiagnosticsMessages[N]) => void): () => void {
  const target = diagnosticsChannel(name);
  const onMessage = (message: unknown) => listener(message as DiagnosticsMessages[N]);
  target.subscribe(onMessage);
  return () => target.unsubscribe(onMessage);
}

let nextId = 0;

export function operationInfo(operation: string, name: string, sessionId: string | undefined): OperationInfo {
  return { id: `op-${++nextId}`, operation, name, sessionId: sessionId || undefined, workerId: undefined, startedAt: performance.now() };
}
