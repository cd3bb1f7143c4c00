import { ConnectError, type RunChannel, type RunOptions, type RunStartInit } from "@dspy-connect/client";
import type { StreamEvent } from "./events.js";
import { runEvents, type ToolCallHandler } from "./run-events.js";
import { RunStream, type EventHandler } from "./run-stream.js";

/** Where a stream runs: a client (least-loaded worker) or a session (its worker, its modules). */
export interface StreamTarget {
  openRun(start: RunStartInit, options?: RunOptions): RunChannel;
}

export interface StreamOptions<R = unknown> extends RunOptions {
  /** Called for each event, awaited in order; the stream then reads itself. */
  readonly onEvent?: EventHandler<R>;
}

/** Opens a run and wraps it; a start that cannot be built becomes a stream of one error event. */
export function startStream<R>(
  target: StreamTarget,
  buildStart: () => RunStartInit,
  options: StreamOptions<R>,
  decodeResult: (value: unknown) => R,
  onToolCall?: ToolCallHandler,
): RunStream<R> {
  let events: AsyncIterable<StreamEvent<R>>;
  try {
    const channel = target.openRun(buildStart(), options);
    events = { [Symbol.asyncIterator]: () => runEvents(channel, decodeResult, onToolCall) };
  } catch (error) {
    events = failed(ConnectError.from(error));
  }
  return new RunStream(events, options.onEvent);
}

export function failed<R>(error: ConnectError): AsyncIterable<StreamEvent<R>> {
  return (async function* () {
    yield { type: "error" as const, seq: 1, time: Date.now(), code: error.code, message: error.rawMessage };
  })();
}
