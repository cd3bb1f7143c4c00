import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, type DspyClient } from "../src/index.js";
import { startClient } from "./helpers.js";

describe("the bounded queue", () => {
  let client: DspyClient;
  beforeAll(async () => {
    client = await startClient({ workers: 1, maxConcurrencyPerWorker: 1, maxQueueSize: 1, maxQueueWaitMs: 400 });
  });
  afterAll(() => client.close());

  const slow = () => client.predict("q -> a", { q: "x" }, { lm: { model: "scripted/slow-1500", cache: false } });

  it("rejects with ResourceExhausted when full", async () => {
    const running = slow();
    const queued = client.predict("q -> a", { q: "queued" }, { timeoutMs: 10_000 }).catch((e: unknown) => e);
    expect(client.stats().queued).toBe(1);
    await expect(client.predict("q -> a", { q: "over" })).rejects.toMatchObject({ code: Code.ResourceExhausted });
    await expect(queued).resolves.toMatchObject({ code: Code.ResourceExhausted }); // waited past 400 ms
    await expect(running).resolves.toEqual({ a: "a: x" });
  });

  it("serves queued calls when the worker frees up within the wait limit", async () => {
    const fast = await Promise.all([1, 2].map((i) => client.predict("q -> a", { q: `n${i}` })));
    expect(fast).toEqual([{ a: "a: n1" }, { a: "a: n2" }]);
  });

  it("ends the wait at the call's own deadline", async () => {
    const running = slow();
    await expect(client.predict("q -> a", { q: "x" }, { timeoutMs: 100 })).rejects.toMatchObject({ code: Code.DeadlineExceeded });
    await running;
  });

  it("lets an aborted call leave the queue", async () => {
    const running = slow();
    const controller = new AbortController();
    const queued = client.predict("q -> a", { q: "x" }, { signal: controller.signal });
    controller.abort();
    await expect(queued).rejects.toMatchObject({ code: Code.Canceled });
    expect(client.stats().queued).toBe(0);
    await running;
  });
});
