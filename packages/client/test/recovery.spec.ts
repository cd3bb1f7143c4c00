import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, ConnectError, type DspyClient } from "../src/index.js";
import { startClient, waitFor } from "./helpers.js";

describe("a worker killed with SIGKILL mid-call", () => {
  let client: DspyClient;
  beforeAll(async () => {
    client = await startClient({ workers: 2 });
  });
  afterAll(() => client.close());

  it("fails the call with Unavailable, not a hang, and restarts the worker", async () => {
    // The LM would answer in 20 s and the deadline is 30 s: only the kill can end this call early.
    const call = client.call(
      { type: "predict", signature: "q -> a" },
      { q: "x" },
      { lm: { model: "scripted/slow-20000", cache: false }, timeoutMs: 30_000 },
    );
    const outcome = call.then(
      () => undefined,
      (e: unknown) => e,
    );
    await new Promise((r) => setTimeout(r, 300));
    const busy = client.stats().workers.find((w) => w.inflight > 0)!;
    const killedAt = performance.now();
    process.kill(busy.pid!, "SIGKILL");

    const error = await outcome;
    const failedAfterMs = performance.now() - killedAt;
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(Code.Unavailable);
    expect((error as ConnectError).message).toMatch(new RegExp(`worker ${busy.id} is gone: killed by SIGKILL`));

    const recoveredAfterMs = (await waitFor(() => client.stats().workers.every((w) => w.status === "ready"), 20_000)) + failedAfterMs;
    const restarted = client.stats().workers.find((w) => w.id === busy.id)!;
    expect(restarted.restarts).toBe(1);
    expect(restarted.pid).not.toBe(busy.pid);
    console.log(`kill -9: caller failed after ${failedAfterMs.toFixed(0)} ms; pool back to full after ${recoveredAfterMs.toFixed(0)} ms`);
    expect(await client.predict("q -> a", { q: "again" })).toEqual({ a: "a: again" });
  });

  it("keeps serving on the other worker while one restarts", async () => {
    const victim = client.stats().workers[0]!;
    process.kill(victim.pid!, "SIGKILL");
    await waitFor(() => client.stats().workers[0]!.status !== "ready", 5_000);
    const answers = await Promise.all([1, 2, 3].map((i) => client.predict("q -> a", { q: `n${i}` })));
    expect(answers).toEqual([{ a: "a: n1" }, { a: "a: n2" }, { a: "a: n3" }]);
    await waitFor(() => client.stats().workers.every((w) => w.status === "ready"), 20_000);
  });
});
