// Unary latency through the pool (TS -> connect-node -> UDS -> grpc.aio -> DSPy Predict with the
// instant scripted LM) beside raw grpcio Python-to-Python calls on the same kind of worker, same run.
import { createClient } from "@dspy-connect/client";
import { benchEnv, fmt, python, root, run, summary } from "./lib.ts";

const N = Number(process.env.BENCH_N ?? 2000);

const client = await createClient({ workers: 1, python, lm: "scripted/echo", env: benchEnv, logger: {} });
const ts: Record<string, ReturnType<typeof summary>> = {};
try {
  await client.predict("question -> answer", { question: "hi" }); // waits out the worker's warm-up
  const describe = () => client.describe();
  const call = () => client.predict("question -> answer", { question: "hi" });
  const uncached = () => client.predict("question -> answer", { question: "hi" }, { lm: { model: "scripted/echo", cache: false } });
  for (const [name, fn] of [
    ["describe", describe],
    ["call", call],
    ["uncached", uncached],
  ] as const) {
    for (let i = 0; i < Math.min(200, N); i++) await fn();
    const samples: number[] = [];
    for (let i = 0; i < N; i++) {
      const t = performance.now();
      await fn();
      samples.push(performance.now() - t);
    }
    ts[name] = summary(samples);
  }
} finally {
  await client.close();
}
const py = JSON.parse(await run(python, [`${root}/bench/grpc_baseline.py`, String(N)], benchEnv));

console.log(`unary latency, ${N} sequential calls each (ms)`);
console.log("| path | TS pool p50 | TS pool p99 | raw grpcio Python p50 | raw grpcio Python p99 |");
console.log("|---|---|---|---|---|");
console.log(
  `| Describe (transport only) | ${fmt(ts.describe!.p50)} | ${fmt(ts.describe!.p99)} | ${fmt(py.describe.p50)} | ${fmt(py.describe.p99)} |`,
);
console.log(`| Call: Predict, DSPy cache hit | ${fmt(ts.call!.p50)} | ${fmt(ts.call!.p99)} | ${fmt(py.call.p50)} | ${fmt(py.call.p99)} |`);
console.log(
  `| Call: Predict, uncached, instant scripted LM | ${fmt(ts.uncached!.p50)} | ${fmt(ts.uncached!.p99)} | ${fmt(py.uncached.p50)} | ${fmt(py.uncached.p99)} |`,
);
