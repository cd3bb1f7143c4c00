import type { DspyClient } from "@dspy-connect/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeStream } from "../src/index.js";
import { startClient } from "./helpers.js";

// A reader that pauses while the worker finishes: the run's `done` (and its trailers) must
// still arrive, at any pause length. Node's http2 used to drop it (ERR_STREAM_PREMATURE_CLOSE).
const PAUSES_MS = [0, 1, 5, 20, 100];
const ROUNDS = Math.max(6, Math.ceil(Number(process.env.DSPY_CONNECT_CHAOS_ROUNDS ?? 0) / 10));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let client: DspyClient;
beforeAll(async () => {
  client = await startClient({ workers: 1 });
});
afterAll(() => client?.close());

describe("a slow reader always gets the run's end", () => {
  it.each(PAUSES_MS)("pausing %i ms after the first event", async (pause) => {
    for (let round = 0; round < ROUNDS; round++) {
      const run = executeStream<{ counted: number }>(client, "count", { to: 10 });
      const types: string[] = [];
      for await (const event of run) {
        types.push(event.type);
        if (types.length === 1) await sleep(pause);
      }
      expect(types.at(-1), `round ${round}`).toBe("done");
      await expect(run.result).resolves.toEqual({ counted: 10 });
    }
  });

  it("pausing at every event", async () => {
    const run = executeStream<{ counted: number }>(client, "count", { to: 20 });
    let ticks = 0;
    for await (const event of run) {
      if (event.type === "custom") ticks++;
      await sleep(5);
    }
    expect(ticks).toBe(20);
    await expect(run.result).resolves.toEqual({ counted: 20 });
  });
});
