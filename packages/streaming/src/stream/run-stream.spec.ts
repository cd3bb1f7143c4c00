// RunStream and runEvents against an in-memory worker (no Python): the frames a worker
// sends become typed events, and every way a run can end gives exactly one terminal event.

import type { HandlerContext } from "@connectrpc/connect";
import { Code, ConnectError, type DspyClient, decodeJson } from "@dspy-connect/client";
import { createClientOnTransport } from "@dspy-connect/client/internal";
import type { RunStart } from "@dspy-connect/core-proto";
import { done, doneWithError, events, type RunFrame, type RunRequests, runWorker, status } from "@dspy-connect/test-support/memory-worker";
import { afterEach, describe, expect, it } from "vitest";
import { streamPredict } from "../operations/module.js";
import type { StreamEvent } from "./events.js";

const clients: DspyClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

async function clientFor(script: (requests: RunRequests, context: HandlerContext) => AsyncIterable<RunFrame>): Promise<DspyClient> {
  const client = await createClientOnTransport(runWorker(script), { logger: {} });
  clients.push(client);
  return client;
}

async function collect<R>(stream: AsyncIterable<StreamEvent<R>>): Promise<StreamEvent<R>[]> {
  const seen: StreamEvent<R>[] = [];
  for await (const event of stream) seen.push(event);
  return seen;
}

/** Resolves once the worker's side of the RPC is cancelled. */
function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
}

describe("RunStream over an in-memory worker", () => {
  it("yields the worker's events in order with their seq, then done, and resolves result", async () => {
    let start: RunStart | undefined;
    const client = await clientFor(async function* (requests) {
      start = await requests.start();
      yield events(status(1, "a"), status(2, "b"));
      yield events(status(3, "c"));
      yield done({ answer: "42" }, 3, { promptTokens: 5, completionTokens: 7, totalTokens: 12 });
    });
    const stream = streamPredict(client, "question -> answer", { question: "q" });
    const seen = await collect(stream);
    expect(seen.map((e) => [e.type, e.seq])).toEqual([
      ["status", 1],
      ["status", 2],
      ["status", 3],
      ["done", 4],
    ]);
    expect(seen.filter((e) => e.type === "status").map((e) => e.message)).toEqual(["a", "b", "c"]);
    expect(seen.at(-1)).toMatchObject({
      type: "done",
      result: { answer: "42" },
      usage: { promptTokens: 5, completionTokens: 7, totalTokens: 12 },
    });
    await expect(stream.result).resolves.toEqual({ answer: "42" });
    // What the worker was asked to run.
    expect(start?.operation.case).toBe("module");
    expect(start?.closesAfterDone).toBe(true);
    if (start?.operation.case === "module") {
      expect(start.operation.value.module?.type).toBe("predict");
      expect(decodeJson(start.operation.value.inputsJson)).toEqual({ question: "q" });
    }
    expect(client.stats().workers[0]?.inflight).toBe(0);
  });

  it("resolves result without iterating, calling onEvent for each event in order", async () => {
    const client = await clientFor(async function* (requests) {
      await requests.start();
      yield events(status(1, "a"), status(2, "b"));
      yield done("ok", 2);
    });
    const handled: string[] = [];
    const stream = streamPredict(client, "question -> answer", { question: "q" }, { onEvent: (e) => void handled.push(e.type) });
    await expect(stream.result).resolves.toBe("ok");
    expect(handled).toEqual(["status", "status", "done"]);
    expect(() => stream[Symbol.asyncIterator]()).toThrow(TypeError);
  });

  it("gives exactly one terminal event, last, when a worker sends done twice", async () => {
    const client = await clientFor(async function* (requests) {
      await requests.start();
      yield events(status(1, "a"));
      yield done("first", 1);
      yield done("second", 1);
    });
    const seen = await collect(streamPredict(client, "question -> answer", { question: "q" }));
    const terminals = seen.filter((e) => e.type === "done" || e.type === "error");
    expect(terminals).toHaveLength(1);
    expect(seen.at(-1)).toBe(terminals[0]);
  });

  it("ends with the worker's error, and result rejects with its code", async () => {
    const client = await clientFor(async function* (requests) {
      await requests.start();
      yield events(status(1, "a"));
      yield doneWithError(Code.InvalidArgument, "inputs missing field question", 1);
    });
    const stream = streamPredict(client, "question -> answer", { question: "q" });
    const seen = await collect(stream);
    expect(seen.at(-1)).toMatchObject({ type: "error", seq: 2, code: Code.InvalidArgument, message: "inputs missing field question" });
    await expect(stream.result).rejects.toMatchObject({ code: Code.InvalidArgument, rawMessage: "inputs missing field question" });
  });

  it("reports DataLoss when done's event_count differs from the events that arrived", async () => {
    const client = await clientFor(async function* (requests) {
      await requests.start();
      yield events(status(1, "a"));
      yield done("lost one", 2);
    });
    const stream = streamPredict(client, "question -> answer", { question: "q" });
    const seen = await collect(stream);
    expect(seen.at(-1)).toMatchObject({ type: "error", code: Code.DataLoss, message: "the run sent 2 events, 1 arrived" });
    await expect(stream.result).rejects.toMatchObject({ code: Code.DataLoss });
  });

  it("reports an error when the stream ends without done", async () => {
    const client = await clientFor(async function* (requests) {
      await requests.start();
      yield events(status(1, "a"));
    });
    const stream = streamPredict(client, "question -> answer", { question: "q" });
    const seen = await collect(stream);
    expect(seen.map((e) => e.type)).toEqual(["status", "error"]);
    expect(seen.at(-1)).toMatchObject({ seq: 2, code: Code.Internal, message: "the run ended without a done message" });
    await expect(stream.result).rejects.toBeInstanceOf(ConnectError);
  });

  it("turns an RPC failure into the terminal error with the RPC's code", async () => {
    const client = await clientFor(async function* (requests) {
      await requests.start();
      yield events(status(1, "a"));
      throw new ConnectError("too many runs", Code.ResourceExhausted);
    });
    const stream = streamPredict(client, "question -> answer", { question: "q" });
    const seen = await collect(stream);
    expect(seen.at(-1)).toMatchObject({ type: "error", seq: 2, code: Code.ResourceExhausted, message: "too many runs" });
    await expect(stream.result).rejects.toMatchObject({ code: Code.ResourceExhausted });
  });

  it("ends with Canceled when the caller aborts, and the worker sees the run cancelled", async () => {
    let workerCancelled: Promise<void> | undefined;
    const client = await clientFor(async function* (requests, context) {
      workerCancelled = untilAborted(context.signal);
      await requests.start();
      yield events(status(1, "a"));
      await workerCancelled;
    });
    const abort = new AbortController();
    const stream = streamPredict(client, "question -> answer", { question: "q" }, { signal: abort.signal });
    const seen: StreamEvent[] = [];
    for await (const event of stream) {
      seen.push(event);
      if (event.type === "status") abort.abort();
    }
    expect(seen.map((e) => e.type)).toEqual(["status", "error"]);
    expect(seen.at(-1)).toMatchObject({ code: Code.Canceled });
    await expect(stream.result).rejects.toMatchObject({ code: Code.Canceled });
    await workerCancelled; // the worker's handler saw its RPC cancelled
    expect(client.stats().workers[0]?.inflight).toBe(0);
  });

  it("cancels the run in the worker when the reader leaves the loop early", async () => {
    let workerCancelled: Promise<void> | undefined;
    const client = await clientFor(async function* (requests, context) {
      workerCancelled = untilAborted(context.signal);
      await requests.start();
      yield events(status(1, "a"));
      await workerCancelled;
    });
    const stream = streamPredict(client, "question -> answer", { question: "q" });
    for await (const event of stream) if (event.type === "status") break;
    await expect(stream.result).rejects.toMatchObject({ code: Code.Canceled });
    await workerCancelled; // the worker's handler saw its RPC cancelled
    expect(client.stats().workers[0]?.inflight).toBe(0);
  });

  it("ends with DeadlineExceeded when the run outlives its timeout", async () => {
    const client = await clientFor(async function* (requests, context) {
      await requests.start();
      yield events(status(1, "a"));
      await untilAborted(context.signal);
    });
    const stream = streamPredict(client, "question -> answer", { question: "q" }, { timeoutMs: 20 });
    const seen = await collect(stream);
    expect(seen.at(-1)).toMatchObject({ type: "error", code: Code.DeadlineExceeded });
  });
});
