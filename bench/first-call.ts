// First-call latency after createClient: how long createClient takes, then the first
// predict on the fresh client, and their sum (time to a first answer). Beside it, the same
// first dspy.Predict in one fresh Python process with DSPy directly (bench/first_call_direct.py),
// measured in the same run. Instant scripted LM, one worker, no DSPy cache.
import { createClient } from "@dspy-connect/client";
import { benchEnv, fmt, python, root, run } from "./lib.ts";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const direct: { process: number; firstAnswer: number }[] = [];
const bridge: { create: number; firstCall: number; secondCall: number }[] = [];
for (let round = 0; round < ROUNDS; round++) {
  let t = performance.now();
  const out = JSON.parse(await run(python, [`${root}/bench/first_call_direct.py`])) as { first_answer_ms: number };
  direct.push({ process: performance.now() - t, firstAnswer: out.first_answer_ms });

  t = performance.now();
  const client = await createClient({ workers: 1, python, lm: { model: "scripted/echo", cache: false }, env: benchEnv, logger: {} });
  const create = performance.now() - t;
  t = performance.now();
  await client.predict("question -> answer", { question: "What is the capital of France?" });
  const firstCall = performance.now() - t;
  t = performance.now();
  await client.predict("question -> answer", { question: "And of Italy?" });
  const secondCall = performance.now() - t;
  bridge.push({ create, firstCall, secondCall });
  await client.close();
}

const row = (what: string, xs: number[]) => `| ${what} | ${fmt(median(xs))} | ${xs.map(fmt).join(", ")} |`;
console.log(`first-call latency, median of ${ROUNDS} rounds (ms)`);
console.log("| what | median | all rounds |");
console.log("|---|---|---|");
const rows: [string, number[]][] = [
  ["baseline: fresh `python first_call_direct.py`, spawn to exit", direct.map((d) => d.process)],
  ["baseline: in that process, start to first answer", direct.map((d) => d.firstAnswer)],
  ["createClient({ workers: 1 }) resolves", bridge.map((b) => b.create)],
  ["first predict after it resolves", bridge.map((b) => b.firstCall)],
  ["createClient + first predict", bridge.map((b) => b.create + b.firstCall)],
  ["second predict", bridge.map((b) => b.secondCall)],
];
for (const [what, xs] of rows) console.log(row(what, xs));
