import { createServer, get, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Code, type DspyClient } from "@dspy-connect/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeStream, sendSSE, streamChainOfThought } from "../src/index.js";
import { readEvents, type StreamEvent } from "../src/web.js";
import { collect, startClient, waitFor } from "./helpers.js";
import { parseSSE } from "./sse-server.js";

// A plain node:http server using sendSSE, over real HTTP, with a real worker.
let client: DspyClient;
let server: Server;
let url: string;
const served: Promise<void>[] = []; // each sendSSE's promise: it must settle, never reject
let lastResponse: ServerResponse | undefined;
const longQuestion = Array.from({ length: 60 }, (_, i) => `word${i}`).join(" ");
const describeWorker = async () => (await client.describe())[0]!;

beforeAll(async () => {
  client = await startClient({ workers: 1 });
  server = createServer((req, res) => {
    lastResponse = res;
    const params = new URL(req.url!, "http://local").searchParams;
    const stream =
      params.get("op") === "flood"
        ? executeStream(client, "flood", { n: Number(params.get("n")) })
        : streamChainOfThought(
            client,
            "question -> answer",
            { question: params.get("q") ?? "" },
            params.get("model") ? { lm: { model: params.get("model")!, cache: false } } : {},
          );
    served.push(sendSSE(res, stream, { keepAliveMs: 50 }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await client?.close();
});

describe("sendSSE on node:http", () => {
  it("streams tokens, then done, read with fetch + readEvents", async () => {
    const response = await fetch(`${url}/?q=hello`);
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    const run = readEvents<{ answer: string }>(response);
    const events = await collect(run);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.findIndex((e) => e.type === "token")).toBeLessThan(events.length - 1);
    expect(events.at(-1)).toMatchObject({ type: "done" });
    expect((await run.result).answer).toBe("answer: hello");
    await Promise.all(served);
  });

  it("a client that leaves mid-stream cancels the Python run", async () => {
    const before = await describeWorker();
    let tokens = 0;
    let last: StreamEvent | undefined;
    for await (const event of readEvents(await fetch(`${url}/?q=${encodeURIComponent(longQuestion)}&model=scripted/tokens-100`))) {
      last = event;
      if (event.type === "token" && ++tokens === 2) break; // cancels the body: the connection closes
    }
    expect(last).toMatchObject({ type: "token" });
    await waitFor(async () => {
      const now = await describeWorker();
      return now.activeRuns === 0 && now.busyThreads === 0 && now.runsCancelled > before.runsCancelled;
    }, 3_000);
    await Promise.all(served);
  });

  it("a client that leaves while the worker is silent cancels the run at once", async () => {
    const before = await describeWorker();
    const response = await fetch(`${url}/?q=q&model=scripted/slow-20000`); // 20 s before any token
    await waitFor(async () => (await describeWorker()).activeRuns === 1, 10_000);
    await response.body!.cancel();
    await waitFor(async () => {
      const now = await describeWorker();
      return now.activeRuns === 0 && now.busyThreads === 0 && now.runsCancelled > before.runsCancelled;
    }, 5_000);
    await Promise.all(served);
  });

  it("a client that stops reading makes the worker wait ('drain'), then gets every event", async () => {
    const n = 200_000; // ~20 MB of SSE: far more than the socket buffers hold
    const response = await new Promise<IncomingMessage>((resolve) => get(`${url}/?op=flood&n=${n}`, resolve));
    response.pause();
    await new Promise((r) => setTimeout(r, 1_000)); // an unbounded server would read the whole run meanwhile
    // What the server holds for the paused client: its response buffer stops at the
    // stream's high-water mark plus the one event that crossed it, instead of growing with the run.
    const bufferedWhilePaused = lastResponse!.writableLength;
    const bound = lastResponse!.writableHighWaterMark + 1024;
    const resumedAt = Date.now();
    const chunks: Buffer[] = [];
    for await (const chunk of response) chunks.push(chunk as Buffer);
    const messages = parseSSE(Buffer.concat(chunks).toString("utf8")).flatMap((p) => (p.kind === "message" ? [p.message] : []));
    expect(messages).toHaveLength(n + 1);
    const done = JSON.parse(messages.at(-1)!.data) as StreamEvent<{ sent: number; finished_ms: number }>;
    expect(done).toMatchObject({ type: "done", result: { sent: n } });
    // The worker finished producing only after the client read again: it had to wait.
    expect(done.type === "done" && done.result.finished_ms).toBeGreaterThan(resumedAt);
    expect(bufferedWhilePaused).toBeLessThan(bound);
    await Promise.all(served);
  });

  it("sends keepalive comments while idle and ends with the terminal event", async () => {
    const text = await (await fetch(`${url}/?q=idle&model=scripted/slow-600`)).text();
    const parts = parseSSE(text);
    expect(parts.filter((p) => p.kind === "comment").length).toBeGreaterThan(1);
    const last = parts.at(-1);
    expect(last?.kind === "message" && JSON.parse(last.message.data)).toMatchObject({ type: "done" });
  });

  it("a worker error is the terminal event", async () => {
    const response = await fetch(`${url}/?q=x&model=scripted/fail`);
    const events = await collect(readEvents(response));
    expect(events.at(-1)).toMatchObject({ type: "error", code: Code.Internal });
  });
});
