import { Code, type DspyClient } from "@dspy-connect/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeStream, type StreamEvent } from "../src/index.js";
import { startClient, waitFor } from "./helpers.js";

// Bounded rounds here; `./dev chaos` runs more (DSPY_CONNECT_CHAOS_ROUNDS).
const ROUNDS = Number(process.env.DSPY_CONNECT_CHAOS_ROUNDS ?? 50);

let client: DspyClient;

/** Reads a stream to its end: its events' types, and whether it ended exactly once. */
async function outcome(
  run: AsyncIterable<StreamEvent<unknown>>,
): Promise<{ ticks: number; terminals: StreamEvent<unknown>[]; endedAt: number }> {
  let ticks = 0;
  const terminals: StreamEvent<unknown>[] = [];
  for await (const event of run) {
    if (event.type === "custom") ticks++;
    if (event.type === "done" || event.type === "error") terminals.push(event);
  }
  return { ticks, terminals, endedAt: performance.now() };
}

describe("kill -9 storm", () => {
  // Each kill costs a restart and a warm-up (~2 s of CPU on a 2-core machine), so a round
  // takes ~1.2 s. Restart backoff is kept short: this measures recovery, not the backoff.
  beforeAll(async () => {
    client = await startClient({ workers: 2, restart: { initialDelayMs: 20, maxDelayMs: 200 } });
  });
  afterAll(() => client.close());

  it(
    `${ROUNDS} workers killed mid-stream: every stream ends, none truncated, the pool recovers`,
    async () => {
      let affected = 0;
      let completed = 0;
      const failedAfterMs: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        await waitFor(() => client.stats().workers.some((w) => w.status === "ready"), 30_000);
        const started: Promise<void>[] = [];
        const runs = Array.from({ length: 3 }, () => {
          const run = executeStream(client, "count", { to: 20, delay_ms: 20 });
          let first!: () => void;
          started.push(new Promise<void>((resolve) => (first = resolve)));
          return outcome(
            (async function* () {
              for await (const event of run) {
                first();
                yield event;
              }
              first();
            })(),
          );
        });
        await Promise.all(started);
        const victim = client.stats().workers.find((w) => w.inflight > 0 && w.pid !== undefined);
        if (victim) process.kill(victim.pid!, "SIGKILL");
        const killedAt = performance.now();
        for (const { ticks, terminals, endedAt } of await Promise.all(runs)) {
          expect(terminals, `round ${round}`).toHaveLength(1);
          const end = terminals[0]!;
          if (end.type === "done") {
            expect(ticks).toBe(20); // complete, never truncated
            completed++;
          } else {
            expect(end, `round ${round}`).toMatchObject({ code: Code.Unavailable });
            failedAfterMs.push(endedAt - killedAt);
            affected++;
          }
        }
      }
      await waitFor(() => client.stats().workers.every((w) => w.status === "ready" && w.inflight === 0), 30_000);
      expect(client.stats().queued).toBe(0);
      failedAfterMs.sort((a, b) => a - b);
      const p50 = failedAfterMs[Math.floor(failedAfterMs.length / 2)]!.toFixed(0);
      const max = failedAfterMs.at(-1)!.toFixed(0);
      console.log(
        `kill storm: ${ROUNDS} rounds, ${affected} streams hit by a kill (all Unavailable; p50 ${p50} ms, max ${max} ms after the kill), ${completed} completed`,
      );
      expect(affected).toBeGreaterThanOrEqual(ROUNDS);
    },
    ROUNDS * 5_000,
  );
});

describe("deadline storm", () => {
  beforeAll(async () => {
    client = await startClient({ workers: 2, maxQueueSize: 10_000 });
  });
  afterAll(() => client.close());

  it("hundreds of calls and streams with tiny deadlines: typed ends, nothing left running", async () => {
    const n = Math.max(200, ROUNDS * 4);
    await waitFor(() => client.stats().workers.every((w) => w.status === "ready"), 30_000);
    await Promise.all([client.predict("q -> a", { q: "warm" }), client.predict("q -> a", { q: "warm" })]);
    const codes = new Map<string, number>();
    const count = (key: string) => codes.set(key, (codes.get(key) ?? 0) + 1);
    const ops = Array.from({ length: n }, async (_, i) => {
      const timeoutMs = 1 + ((i * 37) % 600);
      if (i % 2 === 0) {
        const call = client.predict("q -> a", { q: `d${i}` }, { lm: { model: "scripted/slow-100", cache: false }, timeoutMs });
        await call.then(
          () => count("ok"),
          (e: { code: Code }) => count(Code[e.code]!),
        );
      } else {
        const { terminals } = await outcome(executeStream(client, "count", { to: 10, delay_ms: 20 }, { timeoutMs }));
        expect(terminals).toHaveLength(1);
        const end = terminals[0]!;
        count(end.type === "done" ? "ok" : Code[(end as { code: Code }).code]!);
      }
    });
    await Promise.all(ops);
    console.log(`deadline storm: ${n} operations`, Object.fromEntries(codes));
    expect([...codes.keys()].every((k) => k === "ok" || k === "DeadlineExceeded")).toBe(true);
    // The workers' own view: no thread still busy and no run open once the storm is over.
    let seen = "";
    await waitFor(async () => {
      const workers = await client.describe();
      seen = JSON.stringify(workers.map((w) => ({ busy: w.busyThreads, runs: w.activeRuns })));
      return workers.length === 2 && workers.every((w) => w.busyThreads === 0 && w.activeRuns === 0);
    }, 10_000).catch((e: Error) => {
      throw new Error(`${e.message}: ${seen}`);
    });
    expect(client.stats().workers.every((w) => w.inflight === 0)).toBe(true);
    expect(await client.predict("q -> a", { q: "after" })).toEqual({ a: "a: after" });
  });
});
