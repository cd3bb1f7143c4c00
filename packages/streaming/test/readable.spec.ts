import { Code, type DspyClient } from "@dspy-connect/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type StreamEvent, streamBatchPredict, streamChainOfThought, streamPredict } from "../src/index.js";
import { startClient, waitFor } from "./helpers.js";

let client: DspyClient;
beforeAll(async () => {
  client = await startClient({ workers: 1 });
});
afterAll(() => client?.close());

const describeWorker = async () => (await client.describe())[0]!;
// The scripted LM says nothing for 20 s: a cancel that waited for the next event would hang.
const silent = { model: "scripted/slow-20000", cache: false } as const;
const cancelledSince = (before: Awaited<ReturnType<typeof describeWorker>>) => async () => {
  const now = await describeWorker();
  return now.activeRuns === 0 && now.busyThreads === 0 && now.runsCancelled > before.runsCancelled;
};

describe("toReadableStream", () => {
  it("is the typed events, in order, ending with done", async () => {
    const reader = streamChainOfThought(client, "question -> answer", { question: "q" }).toReadableStream().getReader();
    const events: StreamEvent<unknown>[] = [];
    for (let next = await reader.read(); !next.done; next = await reader.read()) events.push(next.value);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.some((e) => e.type === "token")).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: "done", result: { answer: "answer: q" } });
  });

  it("cancelling it cancels the Python run at once, even while the worker is silent", async () => {
    const before = await describeWorker();
    const run = streamPredict(client, "question -> answer", { question: "q" }, { lm: silent });
    const reader = run.toReadableStream().getReader();
    const pending = reader.read(); // the pull waits on the worker
    await waitFor(async () => (await describeWorker()).activeRuns === 1, 10_000);
    await reader.cancel();
    await expect(pending).resolves.toEqual({ done: true, value: undefined });
    await waitFor(cancelledSince(before), 5_000);
    await expect(run.result).rejects.toMatchObject({ code: Code.Canceled });
  });

  it("an aborted signal cancels the run, and the stream ends with its error event", async () => {
    const before = await describeWorker();
    const controller = new AbortController();
    const reader = streamPredict(client, "question -> answer", { question: "q" }, { lm: silent })
      .toReadableStream({ signal: controller.signal })
      .getReader();
    const pending = reader.read();
    await waitFor(async () => (await describeWorker()).activeRuns === 1, 10_000);
    controller.abort();
    await expect(pending).resolves.toMatchObject({ done: false, value: { type: "error", code: Code.Canceled } });
    await expect(reader.read()).resolves.toMatchObject({ done: true });
    await waitFor(cancelledSince(before), 5_000);
  });

  it("cancelling a batch's stream stops its runs", async () => {
    const items = Array.from({ length: 4 }, (_, i) => ({ question: `q${i}` }));
    const reader = streamBatchPredict(client, "question -> answer", items, { lm: silent }).toReadableStream().getReader();
    const pending = reader.read();
    await waitFor(async () => (await describeWorker()).activeRuns === 1, 10_000);
    await reader.cancel();
    await pending;
    await waitFor(async () => (await describeWorker()).activeRuns === 0, 5_000);
  });

  it("a stream reads once: toReadableStream after iterating throws", async () => {
    const run = streamPredict(client, "question -> answer", { question: "q" });
    await run.result;
    expect(() => run.toReadableStream()).toThrow(TypeError);
  });
});
