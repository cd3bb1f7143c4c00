import { Code, type DspyClient } from "@dspy-connect/client";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeStream, streamChainOfThought, streamPredict } from "../src/index.js";
import { fetchStream, RunError, readEvents, type StreamEvent } from "../src/web.js";
import { collect, startClient, waitFor } from "./helpers.js";
import { parseSSE, serveHono } from "./sse-server.js";

// A Hono app as a user writes one: each route returns run.toSSEResponse(), served over real
// HTTP by @hono/node-server; the runs go to a real worker with the scripted LM.
let client: DspyClient;
let server: Awaited<ReturnType<typeof serveHono>>;
const longQuestion = Array.from({ length: 60 }, (_, i) => `word${i}`).join(" ");
const describeWorker = async () => (await client.describe())[0]!;

beforeAll(async () => {
  client = await startClient({ workers: 1 });
  const app = new Hono();
  app.post("/ask", async (c) => {
    const { question, model, keepAliveMs } = await c.req.json<{ question: string; model?: string; keepAliveMs?: number }>();
    const lm = model ? { model, cache: false } : undefined;
    const run = streamChainOfThought(client, "question -> answer", { question }, { lm });
    return run.toSSEResponse({ signal: c.req.raw.signal, keepAliveMs });
  });
  // No signal passed: the server cancelling the response body must be enough.
  app.get("/ask-unsignalled", (c) =>
    streamPredict(
      client,
      "question -> answer",
      { question: c.req.query("q") ?? "" },
      { lm: { model: "scripted/slow-20000", cache: false } },
    ).toSSEResponse(),
  );
  app.get("/explode", () => executeStream(client, "explode").toSSEResponse());
  app.get("/keyed", (c) =>
    c.req.header("x-key") === "k" ? executeStream(client, "echo_args", { key: "k" }).toSSEResponse() : c.text("no key", 401),
  );
  app.get("/teapot", (c) => c.text("no stream here", 418));
  server = await serveHono(app);
});
afterAll(async () => {
  await server?.close();
  await client?.close();
});

const ask = (body: object, init: RequestInit = {}) =>
  fetch(`${server.url}/ask`, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" }, ...init });

describe("toSSEResponse in a Hono route, read with readEvents", () => {
  it("streams tokens, then done, with gapless seq and the typed result", async () => {
    const response = await ask({ question: "Why is the sky blue?" });
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    expect(response.headers.get("cache-control")).toBe("no-cache");
    const run = readEvents<{ reasoning: string; answer: string }>(response);
    const events = await collect(run);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const firstToken = events.findIndex((e) => e.type === "token");
    expect(firstToken).toBeGreaterThanOrEqual(0);
    expect(events.at(-1)).toMatchObject({ type: "done", result: { answer: "answer: Why is the sky blue?" } });
    const answer = events.flatMap((e) => (e.type === "token" && e.field === "answer" ? [e.delta] : [])).join("");
    expect(answer).toBe("answer: Why is the sky blue?");
    await expect(run.result).resolves.toEqual({ reasoning: "Step by step: Why is the sky blue?", answer: "answer: Why is the sky blue?" });
  });

  it("writes one SSE message per event: id is the seq, data the event's JSON, no event name", async () => {
    const text = await (await ask({ question: "ids" })).text();
    const parts = parseSSE(text);
    const messages = parts.flatMap((p) => (p.kind === "message" ? [p.message] : []));
    expect(messages.length).toBeGreaterThan(2);
    for (const message of messages) {
      const event = JSON.parse(message.data) as StreamEvent;
      expect(message.id).toBe(String(event.seq));
      expect(message.event).toBeUndefined(); // a plain "message" for EventSource
    }
    expect(JSON.parse(messages.at(-1)!.data)).toMatchObject({ type: "done" });
  });

  it("sends keepalive comments while the run is idle", async () => {
    // The scripted LM waits 800 ms before its first chunk; a keepalive every 40 ms.
    const text = await (await ask({ question: "idle", model: "scripted/slow-800", keepAliveMs: 40 })).text();
    const parts = parseSSE(text);
    const keepalives = parts.filter((p) => p.kind === "comment");
    expect(keepalives.length).toBeGreaterThan(1);
    expect(keepalives.every((p) => p.kind === "comment" && p.text.trim() === "keepalive")).toBe(true);
    expect(parts.at(-1)).toMatchObject({ kind: "message" }); // the terminal event comes last
    expect(JSON.parse((parts.at(-1) as { message: { data: string } }).message.data)).toMatchObject({ type: "done" });
  });

  it("a client that disconnects mid-stream cancels the Python run", async () => {
    const before = await describeWorker();
    const controller = new AbortController();
    const run = fetchStream(`${server.url}/ask`, {
      method: "POST",
      body: JSON.stringify({ question: longQuestion, model: "scripted/tokens-100" }),
      signal: controller.signal,
    });
    let tokens = 0;
    let last: StreamEvent | undefined;
    for await (const event of run) {
      if (event.type === "token" && ++tokens === 2) controller.abort();
      last = event;
    }
    expect(last).toMatchObject({ type: "error", code: Code.Canceled });
    await expect(run.result).rejects.toBeInstanceOf(RunError);
    // The worker's own account: the run was cancelled and nothing is in flight, long
    // before the ~6 s the answer would have taken.
    await waitFor(async () => {
      const now = await describeWorker();
      return now.activeRuns === 0 && now.busyThreads === 0 && now.runsCancelled > before.runsCancelled;
    }, 3_000);
    expect(tokens).toBeLessThan(10);
  });

  it("without the request's signal, the server cancelling the body still cancels the run, even while the worker is silent", async () => {
    const before = await describeWorker();
    const response = await fetch(`${server.url}/ask-unsignalled?q=q`); // the LM waits 20 s before its first token
    await waitFor(async () => (await describeWorker()).activeRuns === 1, 10_000);
    await response.body!.cancel(); // closes the connection
    await waitFor(async () => {
      const now = await describeWorker();
      return now.activeRuns === 0 && now.busyThreads === 0 && now.runsCancelled > before.runsCancelled;
    }, 5_000);
  });

  it("a worker error becomes the terminal error event, with its code and cause", async () => {
    const run = fetchStream(`${server.url}/explode`);
    const events = await collect(run);
    expect(events).toEqual([
      expect.objectContaining({
        type: "error",
        seq: 1,
        code: Code.Internal,
        cause: "ValueError",
        message: expect.stringContaining("explode was asked to fail"),
      }),
    ]);
    const error = await run.result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunError);
    expect(error).toMatchObject({ code: Code.Internal, cause: "ValueError" });
  });

  it("fetchStream keeps a Request's own headers, and sends accept: text/event-stream", async () => {
    await expect(fetchStream(new Request(`${server.url}/keyed`, { headers: { "x-key": "k" } })).result).resolves.toEqual({ key: "k" });
    await expect(fetchStream(`${server.url}/keyed`).result).rejects.toMatchObject({ code: Code.Unauthenticated });
  });

  it("a route that answers with an HTTP error ends the stream with an error event", async () => {
    const events = await collect(fetchStream(`${server.url}/teapot`));
    expect(events).toEqual([expect.objectContaining({ type: "error", code: Code.Unknown, message: expect.stringContaining("418") })]);
  });
});

describe("toSSEResponse called with app.fetch, no server", () => {
  it("works on the Web Request/Response pair alone", async () => {
    const app = new Hono().get("/q", () => streamPredict(client, "question -> answer", { question: "direct" }).toSSEResponse());
    const run = readEvents<{ answer: string }>(await app.fetch(new Request("http://local/q")));
    await expect(run.result).resolves.toEqual({ answer: "answer: direct" });
  });
});
