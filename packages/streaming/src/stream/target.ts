import { ConnectError, type RunChannel, type RunOptions, type RunStartInit, type ToolRef } from "@dspy-connect/client";
import { type ResolvedTools, RunTools } from "@dspy-connect/client/internal";
import { clientError } from "./error-cause.js";
import type { StreamEvent } from "./events.js";
import { runEvents } from "./run-events.js";
import { type EventHandler, RunStream } from "./run-stream.js";

/** Where a stream runs: a client (least-loaded worker) or a session (its worker, its modules). */
export interface StreamTarget {
  openRun(start: RunStartInit, options?: RunOptions): RunChannel;
}

export interface StreamOptions<R = unknown> extends RunOptions {
  /** Called for each event, awaited in order; the stream then reads itself. */
  readonly onEvent?: EventHandler<R>;
  /**
   * Tools the run's Python code may call: TypeScript tools (`defineTool`), ids of the
   * session's tools, and (for agents) names of Python tools in the worker's allowlist.
   */
  readonly tools?: readonly ToolRef[];
}

/**
 * Opens a run and wraps it; a start that cannot be built becomes a stream of one error
 * event. The run brings the TypeScript tools of `options.tools`.
 */
export function startStream<R>(
  target: StreamTarget,
  buildStart: (tools: ResolvedTools) => RunStartInit,
  options: StreamOptions<R>,
  decodeResult: (value: unknown) => R,
): RunStream<R> {
  let events: AsyncIterable<StreamEvent<R>>;
  // The stream's own way to cancel the run (a Web stream's consumer going away), beside the caller's signal.
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  try {
    const resolved = RunTools.resolve(target, options.tools);
    const start = buildStart(resolved);
    const channel = target.openRun({ ...start, tools: resolved.tools.specs() }, { ...options, signal });
    events = { [Symbol.asyncIterator]: () => runEvents(channel, decodeResult, resolved.tools) };
  } catch (error) {
    events = failed(ConnectError.from(error));
  }
  return new RunStream(events, options.onEvent, () => stop.abort());
}

export function failed<R>(error: ConnectError): AsyncIterable<StreamEvent<R>> {
  return (async function* () {
    yield { type: "error" as const, seq: 1, time: 0, ...clientError(error) }; // the run never started
  })();
}
