import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, type DspyClient } from "../src/index.js";
import { startClient } from "./helpers.js";

// The LM answers in 30 s: only cancellation can free the worker's threads sooner.
const slowLm = { model: "scripted/slow-30000", cache: false } as const;

let client: DspyClient;
beforeAll(async () => {
  client = await startClient({ workers: 1, maxConcurrencyPerWorker: 4 });
});
afterAll(() => client.close());

const worker = async () => (await client.describe())[0]!;
const settled = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

describe("a unary call the caller gave up on", () => {
  it("shows in busy_threads while it runs", async () => {
    const controller = new AbortController();
    const call = settled(client.predict("q -> a", { q: "x" }, { lm: slowLm, signal: controller.signal }));
    // The first call of a worker waits for its warm-up (a few seconds) before DSPy runs.
    let describe = await worker();
    for (let i = 0; i < 400 && describe.busyThreads === 0; i++) {
      await new Promise((r) => setTimeout(r, 25));
      describe = await worker();
    }
    expect(describe.busyThreads).toBe(1);
    controller.abort();
    expect(await call).toMatchObject({ code: Code.Canceled });
    // The worker counts the abandoned call when its thread stops, which may be after the
    // caller saw Canceled; wait for it so the next test starts from a settled count.
    for (let i = 0; i < 200 && (describe.busyThreads > 0 || describe.callsAbandoned === 0n); i++) {
      await new Promise((r) => setTimeout(r, 25));
      describe = await worker();
    }
    expect(describe).toMatchObject({ busyThreads: 0, callsAbandoned: 1n });
  });

  it("stops in the worker, LM request included, after a timeout or an abort", async () => {
    const before = await worker();
    const beforeAbandoned = client.stats().workers[0]!.abandoned;
    // Three time out and one is aborted: with the worker's four threads taken, the next
    // call could only run once the LM answered, unless the work really stops.
    const timedOut = Array.from({ length: 3 }, () => settled(client.predict("q -> a", { q: "t" }, { lm: slowLm, timeoutMs: 300 })));
    const controller = new AbortController();
    const aborted = settled(client.predict("q -> a", { q: "a" }, { lm: slowLm, signal: controller.signal }));
    setTimeout(() => controller.abort(), 300);
    for (const outcome of await Promise.all(timedOut)) expect(outcome).toMatchObject({ code: Code.DeadlineExceeded });
    expect(await aborted).toMatchObject({ code: Code.Canceled });

    // The worker's own view: every thread is free again long before the LM would answer.
    let now = await worker();
    for (let i = 0; i < 200 && (now.busyThreads > 0 || now.callsAbandoned < before.callsAbandoned + 4n); i++) {
      await new Promise((r) => setTimeout(r, 25));
      now = await worker();
    }
    expect(now.busyThreads).toBe(0);
    expect(now.callsAbandoned - before.callsAbandoned).toBe(4n);
    expect(client.stats().workers[0]!.abandoned - beforeAbandoned).toBe(4);
    // So the next call runs at once rather than behind four abandoned ones.
    expect(await client.predict("q -> a", { q: "next" })).toEqual({ a: "a: next" });
  });
});
