import { type EventHandler, EventStream } from "../stream/event-stream.js";
import type { StreamEvent } from "../stream/event-types.js";
import { readerError, transportCode } from "./http-error.js";
import { RunError } from "./run-error.js";
import { sseEvents } from "./sse-events.js";

export interface ReadEventsOptions<R> {
  /** Called for each event, awaited in order; the stream then reads itself. */
  readonly onEvent?: EventHandler<R>;
}

/**
 * A run streamed by a server route (`toSSEResponse`), as the same shape a RunStream has:
 * an AsyncIterable of the typed events, ending with `done` or `error`, and `result`,
 * which rejects with a RunError (its `code` the Connect code) on `error`. Iterate once;
 * leaving the loop early closes the connection, and the server cancels the run.
 */
export function readEvents<R = unknown>(response: Response, options: ReadEventsOptions<R> = {}): EventStream<R> {
  return browserStream(sseEvents<R>(response), options);
}

/**
 * `fetch(input, init)`, then readEvents. A failed fetch ends the stream with an `error`
 * event (Unavailable, or Canceled when `init.signal` aborted it): abort the signal to stop
 * the run (a stop button).
 */
export function fetchStream<R = unknown>(
  input: string | URL | Request,
  init: RequestInit = {},
  options: ReadEventsOptions<R> = {},
): EventStream<R> {
  // A Request's own headers stay unless `init` replaces them, as fetch would do.
  const headers = new Headers(init.headers ?? (input instanceof Request ? input.headers : undefined));
  if (!headers.has("accept")) headers.set("accept", "text/event-stream");
  async function* events(): AsyncGenerator<StreamEvent<R>> {
    let response: Response;
    try {
      response = await fetch(input, { ...init, headers });
    } catch (error) {
      yield readerError(1, transportCode(error), error instanceof Error ? error.message : String(error));
      return;
    }
    yield* sseEvents<R>(response);
  }
  return browserStream(events(), options);
}

function browserStream<R>(source: AsyncIterable<StreamEvent<R>>, options: ReadEventsOptions<R>): EventStream<R> {
  return new EventStream(source, {
    onEvent: options.onEvent,
    failure: (terminal) => new RunError(terminal ?? readerError(0, "Canceled", "the stream was closed before the run finished")),
    handlerFailure: (error) => (error instanceof Error ? error : new Error(String(error))),
    defer: (task) => setTimeout(task, 0),
  });
}
