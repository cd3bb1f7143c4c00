import type { EventSourceMessage } from "eventsource-parser";
import { EventSourceParserStream } from "eventsource-parser/stream";
import type { StreamEvent } from "../stream/event-types.js";
import { readerError, statusCode, transportCode } from "./http-error.js";

/**
 * The typed events of an SSE response (as toSSEResponse writes it), read as the caller
 * reads. Never throws: an HTTP error, a response that is not an event stream, a dropped
 * connection or an abort ends the stream with an `error` event, so it always ends with
 * exactly one `done` or `error`, as a server-side RunStream does. Stopping early cancels
 * the body, which closes the connection; the server then cancels the run.
 */
export async function* sseEvents<R>(response: Response): AsyncGenerator<StreamEvent<R>> {
  if (!response.ok) {
    const detail = await response.text().catch(() => "");
    const message = `HTTP ${response.status} ${response.statusText}${detail && `: ${detail.slice(0, 500)}`}`;
    yield readerError(1, statusCode(response.status), message);
    return;
  }
  const type = response.headers.get("content-type") ?? "";
  if (!response.body || !type.startsWith("text/event-stream")) {
    await response.body?.cancel();
    yield readerError(1, "Unknown", `the response is not an event stream (content-type: ${type || "none"})`);
    return;
  }
  let messages: ReadableStreamDefaultReader<EventSourceMessage>;
  try {
    messages = response.body
      .pipeThrough(new TextDecoderStream())
      .pipeThrough(new EventSourceParserStream({ onError: "terminate" }))
      .getReader();
  } catch (error) {
    // A body someone else already read or locked.
    yield readerError(1, "Unknown", error instanceof Error ? error.message : String(error));
    return;
  }
  let seq = 0;
  try {
    for (;;) {
      const next = await messages.read();
      if (next.done) break;
      const event = JSON.parse(next.value.data) as StreamEvent<R>;
      seq = event.seq;
      yield event;
      if (event.type === "done" || event.type === "error") return;
    }
  } catch (error) {
    const name = error instanceof SyntaxError ? "Internal" : transportCode(error); // a payload that is not JSON: a broken server
    yield readerError(seq + 1, name, error instanceof Error ? error.message : String(error));
    return;
  } finally {
    await messages.cancel().catch(() => undefined);
  }
  yield readerError(seq + 1, "Unavailable", "the connection closed before the run finished");
}
