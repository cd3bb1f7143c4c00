import type { ServerResponse } from "node:http";
import type { RunStream } from "../stream/run-stream.js";
import { type SSEOptions, sseHeaders } from "./sse-readable.js";

export interface SendSSEOptions extends SSEOptions {
  /** Extra response headers (CORS, for example); they may replace the SSE defaults. */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * Streams a run to a `node:http` response as Server-Sent Events (see RunStream.toSSEStream)
 * and ends it. When the client disconnects (`res` closes first) the run is cancelled, so
 * the Python work stops; when the socket's buffer is full (`write` returns false) the run
 * is not read again until 'drain'. Resolves once the response has ended or closed.
 */
export async function sendSSE<R>(res: ServerResponse, stream: RunStream<R>, options: SendSSEOptions = {}): Promise<void> {
  const { headers, ...sse } = options;
  const reader = stream.toSSEStream(sse).getReader();
  let clientGone = false;
  const onClose = () => {
    if (res.writableFinished) return;
    clientGone = true;
    void reader.cancel(); // cancels the run; a pending read ends at once
  };
  res.on("close", onClose);
  try {
    res.writeHead(200, { ...sseHeaders, ...headers });
    res.flushHeaders(); // the client sees the stream open before the first event
    for (;;) {
      const next = await reader.read();
      if (next.done || clientGone) break;
      if (!res.write(next.value)) await drained(res);
    }
    if (!clientGone) res.end();
  } catch (error) {
    await reader.cancel().catch(() => undefined);
    res.destroy(error instanceof Error ? error : new Error(String(error)));
  } finally {
    res.off("close", onClose);
  }
}

/** 'drain', or 'close' (a client that left never drains). */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}
