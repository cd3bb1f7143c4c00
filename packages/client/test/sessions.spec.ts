import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, type DspyClient } from "../src/index.js";
import { startClient, waitFor } from "./helpers.js";

describe("sessions", () => {
  let client: DspyClient;
  beforeAll(async () => {
    client = await startClient({ workers: 2 });
  });
  afterAll(() => client.close());

  it("run every call on their worker under strict affinity", async () => {
    const session = await client.session();
    expect(session.affinity).toBe("strict");
    const results = await Promise.all(
      [1, 2, 3, 4, 5, 6].map((i) => session.call({ type: "predict", signature: "q -> a" }, { q: `n${i}` })),
    );
    expect(new Set(results.map((r) => r.workerId))).toEqual(new Set([session.workerId]));
    expect(results.map((r) => r.outputs)).toEqual([1, 2, 3, 4, 5, 6].map((i) => ({ a: `a: n${i}` })));
    await session.close();
  });

  it("hold their own LM, which a call can override", async () => {
    const session = await client.session({ lm: "scripted/fail" });
    await expect(session.predict("q -> a", { q: "x" })).rejects.toMatchObject({ code: Code.Internal });
    expect(await session.predict("q -> a", { q: "x" }, { lm: "scripted/echo" })).toEqual({ a: "a: x" });
    await session.close();
  });

  it("expire after their idle TTL", async () => {
    const session = await client.session({ ttlMs: 1_000 });
    expect(await session.predict("q -> a", { q: "x" })).toEqual({ a: "a: x" });
    await new Promise((r) => setTimeout(r, 2_200));
    await expect(session.predict("q -> a", { q: "x" })).rejects.toMatchObject({ code: Code.NotFound });
  });

  it("reject calls once closed", async () => {
    const session = await client.session();
    await session.close();
    await expect(session.predict("q -> a", { q: "x" })).rejects.toMatchObject({ code: Code.FailedPrecondition });
  });

  it("fail with NotFound under strict affinity when their worker restarts", async () => {
    const session = await client.session({ affinity: "strict" });
    await session.predict("q -> a", { q: "x" });
    const home = client.stats().workers.find((w) => w.id === session.workerId)!;
    process.kill(home.pid!, "SIGKILL");
    await waitFor(() => client.stats().workers.find((w) => w.id === home.id)!.restarts === 1, 5_000);
    await waitFor(() => client.stats().workers.every((w) => w.status === "ready"), 20_000);
    await expect(session.predict("q -> a", { q: "x" })).rejects.toMatchObject({ code: Code.NotFound });
  });

  it("move to another worker under hint affinity", async () => {
    const session = await client.session({ affinity: "hint" });
    const first = await session.call({ type: "predict", signature: "q -> a" }, { q: "x" });
    expect(first.workerId).toBe(session.workerId);
    const home = client.stats().workers.find((w) => w.id === session.workerId)!;
    process.kill(home.pid!, "SIGKILL");
    await waitFor(() => client.stats().workers.find((w) => w.id === home.id)!.status !== "ready", 5_000);
    const moved = await session.call({ type: "predict", signature: "q -> a" }, { q: "y" });
    expect(moved.workerId).not.toBe(home.id);
    expect(moved.outputs).toEqual({ a: "a: y" });
    await waitFor(() => client.stats().workers.every((w) => w.status === "ready"), 20_000);
    await session.close();
  });
});
