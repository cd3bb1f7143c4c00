import { Code, ConnectError } from "@dspy-connect/client";
import { type SSEOptions, type SSEResponseInit, sseHeaders, sseReadable } from "../sse/sse-readable.js";
import { type EventHandler, EventStream } from "./event-stream.js";
import type { StreamEvent } from "./event-types.js";
import { type PullOptions, pullReadable } from "./pull-readable.js";

export type { EventHandler } from "./event-stream.js";

/**
 * A running DSPy operation: an AsyncIterable of typed events that always ends with `done`
 * or `error`, plus `result`, the final value (it rejects with a ConnectError on `error`).
 *
 * Iterate it once. Events are pulled from the worker as you read, so a slow reader slows
 * the Python side instead of growing a buffer. Leaving the loop early cancels the run.
 * If you only await `result` (or gave `onEvent`), the stream reads itself, calling
 * `onEvent` (awaited, so it can apply backpressure too) for each event.
 *
 * For a web server, `toReadableStream()` and `toSSEResponse()` read it the same way
 * (pulled, so backpressure reaches the worker), and cancelling either cancels the run.
 */
export class RunStream<R> extends EventStream<R> {
  /**
   * @param cancelRun aborts the run's RPC now (the worker cancels the Python work); the
   *   stream then ends with its `error` event (Canceled). Streams that cannot be cancelled
   *   (a run that never started) leave it out.
   */
  constructor(
    source: AsyncIterable<StreamEvent<R>>,
    onEvent?: EventHandler<R>,
    private readonly cancelRun: () => void = () => undefined,
  ) {
    super(source, {
      onEvent,
      failure: (terminal) =>
        terminal
          ? new ConnectError(terminal.message, terminal.code)
          : new ConnectError("the stream was closed before the run finished", Code.Canceled),
      handlerFailure: (error) => ConnectError.from(error),
      defer: (task) => setImmediate(task),
    });
  }

  /**
   * The events as a Web ReadableStream. Pulled: the worker is read only as the consumer
   * reads. Cancelling the ReadableStream, or aborting `signal`, cancels the run.
   */
  toReadableStream(options: PullOptions = {}): ReadableStream<StreamEvent<R>> {
    return pullReadable(this, this.cancelRun, (event) => event, options);
  }

  /**
   * The events as Server-Sent Events, UTF-8 bytes: one message per event (`id:` its seq,
   * `data:` its JSON), the terminal event last, and `: keepalive` comments while idle.
   * Cancelling it, or aborting `signal`, cancels the run.
   */
  toSSEStream(options: SSEOptions = {}): ReadableStream<Uint8Array> {
    return sseReadable(this, this.cancelRun, options);
  }

  /**
   * A `Response` that streams the events as Server-Sent Events (see toSSEStream), for any
   * framework that speaks Web Request/Response. Pass the request's signal: when the HTTP
   * client goes away, the run is cancelled and the Python work stops. (Named for its format,
   * with no bare `toResponse` alias: another body format would be a sibling, not a mode.)
   */
  toSSEResponse(init: SSEResponseInit = {}): Response {
    const { keepAliveMs, signal, headers, ...rest } = init;
    const merged = new Headers(sseHeaders);
    for (const [name, value] of new Headers(headers)) merged.set(name, value);
    return new Response(this.toSSEStream({ keepAliveMs, signal }), { status: 200, ...rest, headers: merged });
  }
}
