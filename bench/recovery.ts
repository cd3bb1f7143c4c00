// kill -9 of a busy worker: time until the caller gets Unavailable and until the pool is back to
// full strength, beside the time a fresh 1-worker pool takes to start, measured in the same run.
import { createClient } from "@dspy-connect/client";
import { benchEnv, fmt, python } from "./lib.ts";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const options = { python, lm: "scripted/echo", env: benchEnv, logger: {} } as const;

const fresh: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  const t = performance.now();
  const c = await createClient({ workers: 1, ...options });
  fresh.push(performance.now() - t);
  await c.close();
}

const client = await createClient({ workers: 2, ...options });
const toError: number[] = [];
const toFull: number[] = [];
try {
  for (let i = 0; i < ROUNDS; i++) {
    const call = client
      .predict("q -> a", { q: "x" }, { lm: { model: "scripted/slow-20000", cache: false }, timeoutMs: 30_000 })
      .catch((e: Error) => e);
    await new Promise((r) => setTimeout(r, 300));
    const busy = client.stats().workers.find((w) => w.inflight > 0)!;
    const killedAt = performance.now();
    process.kill(busy.pid!, "SIGKILL");
    const error = await call;
    toError.push(performance.now() - killedAt);
    if (!(error instanceof Error) || !/is gone/.test(error.message)) throw new Error(`unexpected outcome: ${error}`);
    while (!client.stats().workers.every((w) => w.status === "ready")) await new Promise((r) => setTimeout(r, 5));
    toFull.push(performance.now() - killedAt);
    await new Promise((r) => setTimeout(r, 11_000)); // past the stability window, so each round starts fresh
  }
} finally {
  await client.close();
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const max = (xs: number[]) => Math.max(...xs);
console.log(`kill -9 of a busy worker in a 2-worker pool, ${ROUNDS} rounds (ms)`);
console.log("| what | median | max |");
console.log("|---|---|---|");
console.log(`| baseline: fresh createClient({ workers: 1 }) | ${fmt(median(fresh))} | ${fmt(max(fresh))} |`);
console.log(`| kill -9 -> caller gets Unavailable | ${fmt(median(toError))} | ${fmt(max(toError))} |`);
console.log(`| kill -9 -> 2 workers ready again | ${fmt(median(toFull))} | ${fmt(max(toFull))} |`);
