import type { AddressInfo } from "node:net";
import { type ServerType, serve } from "@hono/node-server";
import { createParser, type EventSourceMessage } from "eventsource-parser";
import type { Hono } from "hono";

/** Serves a Hono app over real HTTP on a free port; `close` stops it. */
export async function serveHono(app: Hono): Promise<{ url: string; close: () => Promise<void> }> {
  const server: ServerType = await new Promise((resolve) => {
    const started = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(started));
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A whole SSE body as its messages and comments, in order (what a proxy or EventSource sees). */
export function parseSSE(text: string): ({ kind: "message"; message: EventSourceMessage } | { kind: "comment"; text: string })[] {
  const parts: ({ kind: "message"; message: EventSourceMessage } | { kind: "comment"; text: string })[] = [];
  const parser = createParser({
    onEvent: (message) => parts.push({ kind: "message", message }),
    onComment: (comment) => parts.push({ kind: "comment", text: comment }),
  });
  parser.feed(text);
  return parts;
}
