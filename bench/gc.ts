// The worker's garbage collection policy (python/src/dspy_connect/garbage.py: automatic
// collection off, a thread collects instead, so the collector never starts inside a
// ContextVar set) beside CPython's automatic collector (DSPY_CONNECT_GC=automatic), same run.
// Two one-worker pools; rounds alternate between them so they share the machine's load.
import type { DspyClient } from "@dspy-connect/client";
import { executeStream, streamPredict } from "@dspy-connect/streaming";
import { benchEnv, firstEventLatencies, fmt, rssMiB, scriptedClient, summary } from "./lib.ts";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const N = Number(process.env.BENCH_N ?? 100);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 200_000);

const start = (env: Record<string, string>) => scriptedClient({ env: { ...benchEnv, ...env } });
const pools: [string, DspyClient][] = [
  ["thread policy (default)", await start({})],
  ["baseline: CPython's automatic GC", await start({ DSPY_CONNECT_GC: "automatic" })],
];
const uncached = { model: "scripted/echo", cache: false } as const;
const results = new Map(pools.map(([name]) => [name, { first: [] as number[], seconds: 0, events: 0, rss: [0, 0] }]));
try {
  for (const [name, client] of pools) {
    await streamPredict(client, "question -> answer", { question: "warm up" }).result;
    results.get(name)!.rss[0] = rssMiB(client.stats().workers[0]!.pid!);
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, client] of round % 2 ? [...pools].reverse() : pools) {
      const r = results.get(name)!;
      r.first.push(
        ...(await firstEventLatencies(() => streamPredict(client, "question -> answer", { question: "hi" }, { lm: uncached }), N)),
      );
      const t = performance.now();
      for await (const event of executeStream(client, "flood", { n: EVENTS })) if (event.type === "token") r.events++;
      r.seconds += (performance.now() - t) / 1000;
    }
  }
  console.log(
    `${ROUNDS} rounds, each: ${N} streamPredict runs (first token) and ${EVENTS.toLocaleString("en-US")} streamed events, per pool`,
  );
  console.log("| what | first token p50 (ms) | p99 (ms) | events/s | worker RSS after warm-up → end (MiB) |");
  console.log("|---|---|---|---|---|");
  for (const [name, client] of pools) {
    const r = results.get(name)!;
    r.rss[1] = rssMiB(client.stats().workers[0]!.pid!);
    const first = summary(r.first);
    const rate = Math.round(r.events / r.seconds).toLocaleString("en-US");
    console.log(`| ${name} | ${fmt(first.p50)} | ${fmt(first.p99)} | ${rate} | ${r.rss[0]!.toFixed(0)} → ${r.rss[1]!.toFixed(0)} |`);
  }
} finally {
  await Promise.all(pools.map(([, client]) => client.close()));
}
