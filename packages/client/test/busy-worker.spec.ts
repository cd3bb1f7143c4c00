import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DspyClient, encodeJson } from "../src/index.js";
import { startClient, waitFor } from "./helpers.js";

// Health checks every 400 ms, each failing after 2 s: a worker holding the GIL for 8 s fails
// several in a row.
let client: DspyClient;
beforeAll(async () => {
  client = await startClient({ workers: 1, healthIntervalMs: 400, imports: ["dspy_connect.testing.plugins"] });
  // Past the worker's warm-up, whose import thread would otherwise share the GIL with the hold.
  await client.predict("q -> a", { q: "warm" });
});
afterAll(() => client.close());

async function runToEnd(command: string, args: unknown): Promise<string | undefined> {
  const run = client.openRun({ operation: { case: "command", value: { command, argsJson: encodeJson(args, "args") } } });
  let end: string | undefined;
  for await (const response of run.responses) if (response.kind.case === "done") end = response.kind.value.outcome.case;
  return end;
}

describe("a worker that fails health checks", () => {
  it("is left alone while busy (a long GIL hold), with its calls in flight", async () => {
    const before = client.stats().workers[0]!;
    const hold = runToEnd("hold_gil", { seconds: 8 });
    await waitFor(() => client.stats().workers[0]!.inflight === 1, 2_000);
    const sideCall = client.predict("q -> a", { q: "unrelated" }, { timeoutMs: 60_000 });
    // Seen as busy: no new calls go there until it answers again.
    await waitFor(() => client.stats().workers[0]!.status === "unhealthy", 20_000);
    expect(await hold).toBe("resultJson");
    expect(await sideCall).toEqual({ a: "a: unrelated" });
    await waitFor(() => client.stats().workers[0]!.status === "ready", 10_000);
    const after = client.stats().workers[0]!;
    expect(after.pid).toBe(before.pid);
    expect(after.restarts).toBe(before.restarts);
  });

  it("is restarted when it makes no progress (stopped)", async () => {
    const before = client.stats().workers[0]!;
    process.kill(before.pid!, "SIGSTOP");
    await waitFor(() => client.stats().workers[0]!.restarts === before.restarts + 1, 20_000);
    await waitFor(() => client.stats().workers[0]!.status === "ready", 20_000);
    expect(client.stats().workers[0]!.pid).not.toBe(before.pid);
    expect(await client.predict("q -> a", { q: "back" })).toEqual({ a: "a: back" });
  });
});
