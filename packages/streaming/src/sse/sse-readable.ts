import type { StreamEvent } from "../stream/event-types.js";
import { type PullOptions, pullReadable } from "../stream/pull-readable.js";

export interface SSEOptions extends PullOptions {
  /** A `: keepalive` comment after this many idle milliseconds, so proxies keep the stream open. Default 15000; 0: none. */
  readonly keepAliveMs?: number | undefined;
}

export type SSEResponseInit = ResponseInit & SSEOptions;

export const DEFAULT_KEEPALIVE_MS = 15_000;

/** The headers of an event stream: not cached, not buffered by proxies (nginx honours x-accel-buffering). */
export const sseHeaders: Readonly<Record<string, string>> = {
  "content-type": "text/event-stream",
  "cache-control": "no-cache",
  "x-accel-buffering": "no",
};

const utf8 = new TextEncoder();

/**
 * One event as an SSE message: `id:` its seq (what EventSource sends back as
 * Last-Event-ID), `data:` its JSON on one line (JSON.stringify escapes newlines). No
 * `event:` field, so every event is a "message": the JSON's `type` is the discriminant,
 * and an EventSource `onmessage` sees event kinds a newer server adds, instead of
 * dropping the ones it has no listener for.
 *
 * Every payload crossed the worker's wire as JSON, so the event is JSON by construction;
 * a field that is `undefined` is left out, which the reader sees as `undefined` again. A
 * value JSON cannot carry (a BigInt from a hand-made source) throws: the stream errors
 * and the run is cancelled, rather than sending something else.
 */
export function sseMessage(event: StreamEvent<unknown>): Uint8Array {
  return utf8.encode(`id: ${event.seq}\ndata: ${JSON.stringify(event)}\n\n`);
}

export const keepAliveComment: Uint8Array = utf8.encode(": keepalive\n\n");

/** The events as SSE bytes, pulled as the consumer reads (see pullReadable). */
export function sseReadable<R>(
  events: AsyncIterable<StreamEvent<R>>,
  cancelRun: () => void,
  options: SSEOptions = {},
): ReadableStream<Uint8Array> {
  const everyMs = options.keepAliveMs ?? DEFAULT_KEEPALIVE_MS;
  return pullReadable(events, cancelRun, sseMessage, { signal: options.signal, idle: { everyMs, chunk: keepAliveComment } });
}
