import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { Hono } from "hono";

export interface Served {
  readonly url: string;
  close(): Promise<void>;
}

/** Serves a Hono app over HTTP; port 0 picks a free one. */
export async function serveApp(app: Hono, port: number, hostname = "127.0.0.1"): Promise<Served> {
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const started = serve({ fetch: app.fetch, port, hostname }, () => resolve(started));
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${hostname}:${address.port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
