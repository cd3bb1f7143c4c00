import { Code, type DspyClient } from "@dspy-connect/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeStream, type StreamEvent, streamBatchPredict, streamPredict } from "../src/index.js";
import { collect, startClient } from "./helpers.js";

let client: DspyClient;
beforeAll(async () => {
  client = await startClient({ workers: 2 });
});
afterAll(() => client?.close());

/** Times must be ms since the run started: within the run's whole span as the test saw it, rising with seq. */
function expectRunTimes(events: readonly StreamEvent<unknown>[], spanMs: number): void {
  const times = events.map((e) => e.time);
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  for (const [i, time] of times.entries()) {
    expect(time).toBeGreaterThanOrEqual(i === 0 ? 0 : times[i - 1]!);
    expect(time).toBeLessThanOrEqual(spanMs);
  }
}

async function timed<R>(run: AsyncIterable<StreamEvent<R>>): Promise<{ events: StreamEvent<R>[]; spanMs: number }> {
  const opened = performance.now();
  const events = await collect(run);
  return { events, spanMs: performance.now() - opened };
}

describe("event time", () => {
  it("is ms since the run started, never decreasing with seq, terminal events included", async () => {
    const { events, spanMs } = await timed(executeStream(client, "count", { to: 20, delay_ms: 1 }));
    expect(events.at(-1)?.type).toBe("done");
    expectRunTimes(events, spanMs);
  });

  it("stays on one timeline across a batch's shards and its own progress events", async () => {
    const items = Array.from({ length: 8 }, (_, i) => ({ question: `q${i}` }));
    for (const ordered of [false, true]) {
      const { events, spanMs } = await timed(streamBatchPredict(client, "question -> answer", items, { concurrency: 4, ordered }));
      expect(events.at(-1)).toMatchObject({ type: "done", result: { total: 8, failed: 0 } });
      expectRunTimes(events, spanMs);
    }
  });
});

describe("terminal error cause", () => {
  it("a timeout's error event names its cause", async () => {
    const events = await collect(executeStream(client, "count", { to: 1000, delay_ms: 10 }, { timeoutMs: 200 }));
    expect(events.at(-1)).toMatchObject({ type: "error", code: Code.DeadlineExceeded, cause: "DeadlineExceeded" });
  });

  it("an abort's, a worker error's and a start that cannot be sent's too", async () => {
    const abort = new AbortController();
    const aborted: StreamEvent<unknown>[] = [];
    for await (const event of executeStream(client, "count", { to: 1000, delay_ms: 10 }, { signal: abort.signal })) {
      aborted.push(event);
      abort.abort(); // at the first event
    }
    expect(aborted.at(-1)).toMatchObject({ type: "error", code: Code.Canceled, cause: "Canceled" });
    const unknown = await collect(executeStream(client, "no_such_command"));
    expect(unknown.at(-1)).toMatchObject({ type: "error", code: Code.NotFound, cause: expect.any(String) });
    const unsendable = await collect(streamPredict(client, "question -> answer", { question: 1n as unknown as string }));
    expect(unsendable).toEqual([expect.objectContaining({ type: "error", code: Code.InvalidArgument, cause: "InvalidArgument", time: 0 })]);
  });
});
