import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";

export interface Served {
  readonly url: string;
  close(): Promise<void>;
}

/** A Web-standard handler: a Hono app, or anything with its `fetch`. */
export interface FetchHandler {
  fetch(request: Request): Response | Promise<Response>;
}

/** Serves an app over HTTP; port 0 picks a free one. */
export async function serveApp(app: FetchHandler, port: number, hostname = "127.0.0.1"): Promise<Served> {
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const started = serve({ fetch: (request) => app.fetch(request), port, hostname }, () => resolve(started));
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${hostname}:${address.port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
