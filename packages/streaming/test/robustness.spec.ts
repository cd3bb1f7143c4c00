import { Code, type DspyClient } from "@dspy-connect/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeStream, type StreamEvent, streamBatchPredict, streamPredict } from "../src/index.js";
import { rssMiB, startClient, waitFor } from "./helpers.js";

let client: DspyClient;
beforeAll(async () => {
  client = await startClient({ workers: 1 });
});
afterAll(() => client?.close());

const longQuestion = Array.from({ length: 60 }, (_, i) => `word${i}`).join(" ");
// 100 ms between chunks: the whole answer would take ~6 s.
const slowTokens = { model: "scripted/tokens-100", cache: false } as const;
const describeWorker = async () => (await client.describe())[0]!;

describe("cancellation", () => {
  it("an AbortSignal stops the Python work, LM stream included", async () => {
    const before = await describeWorker();
    const controller = new AbortController();
    const run = streamPredict(client, "question -> answer", { question: longQuestion }, { lm: slowTokens, signal: controller.signal });
    let tokens = 0;
    let last: StreamEvent<unknown> | undefined;
    for await (const event of run) {
      if (event.type === "token" && ++tokens === 2) controller.abort();
      last = event;
    }
    expect(last).toMatchObject({ type: "error", code: Code.Canceled });
    await expect(run.result).rejects.toMatchObject({ code: Code.Canceled });
    // The worker's own state: the run is counted as cancelled and no DSPy thread is busy,
    // long before the LM would have finished.
    await waitFor(async () => {
      const now = await describeWorker();
      return now.busyThreads === 0 && now.activeRuns === 0 && now.runsCancelled > before.runsCancelled;
    }, 3_000);
    expect(tokens).toBeLessThan(10);
  });

  it("leaving the loop early cancels the run too", async () => {
    const before = await describeWorker();
    for await (const event of streamPredict(client, "question -> answer", { question: longQuestion }, { lm: slowTokens })) {
      if (event.type === "token") break;
    }
    await waitFor(async () => {
      const now = await describeWorker();
      return now.busyThreads === 0 && now.runsCancelled > before.runsCancelled;
    }, 3_000);
  });

  it("cancels a batch: pending items never run", async () => {
    const controller = new AbortController();
    const items = Array.from({ length: 40 }, (_, i) => ({ question: `q${i}` }));
    const run = streamBatchPredict(client, "question -> answer", items, {
      concurrency: 2,
      signal: controller.signal,
      lm: { model: "scripted/slow-100", cache: false },
    });
    let completed = 0;
    for await (const event of run) {
      if (event.type === "item_complete" && ++completed === 2) controller.abort();
    }
    expect(completed).toBeLessThan(10);
    await waitFor(async () => (await describeWorker()).busyThreads === 0, 3_000);
  });

  it("a per-call timeout ends the run with DeadlineExceeded and stops the worker's work", async () => {
    const events = [];
    for await (const event of streamPredict(client, "question -> answer", { question: longQuestion }, { lm: slowTokens, timeoutMs: 400 })) {
      events.push(event);
    }
    expect(events.at(-1)).toMatchObject({ type: "error", code: Code.DeadlineExceeded });
    await waitFor(async () => (await describeWorker()).busyThreads === 0, 3_000);
  });
});

describe("backpressure", () => {
  it("a slow consumer makes the producer wait, and memory stays flat", async () => {
    const pid = client.stats().workers[0]!.pid!;
    const n = 300_000;
    const run = executeStream<{ sent: number; finished_ms: number }>(client, "flood", { n });
    let received = 0;
    let resumedAt = 0;
    const rssBefore = rssMiB(pid);
    let rssWhilePaused = 0;
    for await (const event of run) {
      if (event.type === "token" && ++received === 1) {
        // Stop reading for a while: an unbounded producer would finish all events meanwhile.
        await new Promise((r) => setTimeout(r, 1_000));
        rssWhilePaused = rssMiB(pid);
        resumedAt = Date.now();
      }
    }
    const result = await run.result;
    expect(received).toBe(n);
    expect(result.finished_ms).toBeGreaterThan(resumedAt);
    expect(rssWhilePaused - rssBefore).toBeLessThan(50);
  });

  it("packs many events into one frame when the consumer lags", async () => {
    // 300k events arrive in far fewer frames (see bench/stream.ts for frame counts);
    // here: the run completes with every event in order.
    let seq = 0;
    for await (const event of executeStream(client, "flood", { n: 50_000 })) {
      expect(event.seq).toBe(++seq);
    }
    expect(seq).toBe(50_001);
  });
});

describe("worker death", () => {
  it("kill -9 mid-stream gives an Unavailable error event, and the pool recovers", async () => {
    const pid = client.stats().workers[0]!.pid!;
    const run = streamPredict(client, "question -> answer", { question: longQuestion }, { lm: slowTokens });
    let last: StreamEvent<unknown> | undefined;
    for await (const event of run) {
      if (event.type === "token" && event.seq === 1) process.kill(pid, "SIGKILL");
      last = event;
    }
    expect(last).toMatchObject({ type: "error", code: Code.Unavailable });
    await waitFor(() => client.stats().workers[0]!.status === "ready", 30_000);
    const after = await streamPredict(client, "question -> answer", { question: "back" }).result;
    expect(after.answer).toBe("answer: back");
  });
});
