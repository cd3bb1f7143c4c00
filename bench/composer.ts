// The composer (issue 6), instant scripted LM unless noted, one warm worker.
// 1. A 10-step pipeline in one run, beside the same 10 streamed calls made one by one from
//    TS (each step's output fed to the next by the caller), same run, interleaved rounds;
//    and the floor: the same 10 steps streamed in one Python process with no bridge at all
//    (bench/composer_direct.py).
// 2. 3 parallel branches, each an LM call that takes 100 ms, beside the same pipeline with
//    one branch, same run.
import { createClient } from "@dspy-connect/client";
import { type AnyPipeline, concat, pipeline } from "@dspy-connect/composer";
import { streamPredict } from "@dspy-connect/streaming";
import { benchEnv, fmt, python, root, run, summary } from "./lib.ts";

const ROUNDS = Number(process.env.BENCH_N ?? 100);
const STEPS = 10;
const instant = { model: "scripted/echo", cache: false } as const;
const slow = { model: "scripted/slow-100", cache: false } as const;

// Step i reads text_i and writes text_{i+1}: each call needs the one before.
let chain: AnyPipeline = pipeline("ten");
// Built in a loop, so the field names are not literal types: the chain is typed loosely.
for (let i = 0; i < STEPS; i++) chain = chain.predict(`text_${i} -> text_${i + 1}` as string, { name: `step_${i}` }) as AnyPipeline;
const ten = chain as unknown as { run: (...args: unknown[]) => { result: Promise<Record<string, unknown>> } };

async function oneByOne(start: string): Promise<unknown> {
  let text = start;
  for (let i = 0; i < STEPS; i++) {
    const out = await streamPredict(client, `text_${i} -> text_${i + 1}`, { [`text_${i}`]: text } as never, { lm: instant }).result;
    text = String((out as Record<string, unknown>)[`text_${i + 1}`]);
  }
  return text;
}

const branches = (n: number) =>
  pipeline(`fan${n}`).parallel(
    Array.from({ length: n }, (_, i) => pipeline(`b${i}`).predict("question -> answer")),
    concat("answer", { into: "answers" }),
  );
const three = branches(3);
const one = branches(1);

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

const client = await createClient({ workers: 1, python, lm: "scripted/echo", env: benchEnv, logger: {} });
const session = await client.session();
try {
  await streamPredict(client, "question -> answer", { question: "warm up" }).result; // waits out the worker's warm-up
  const samples = { pipeline: [] as number[], session: [] as number[], calls: [] as number[] };
  for (let i = 0; i < ROUNDS + 10; i++) {
    const p = await time(() => ten.run(client, { text_0: "hi" }, { lm: instant }).result);
    const s = await time(() => ten.run(session, { text_0: "hi" }, { lm: instant }).result);
    const c = await time(() => oneByOne("hi"));
    if (i >= 10) {
      samples.pipeline.push(p);
      samples.session.push(s);
      samples.calls.push(c);
    }
  }
  const fanRounds = Math.max(10, Math.round(ROUNDS / 5));
  const fan = { three: [] as number[], one: [] as number[] };
  for (let i = 0; i < fanRounds + 2; i++) {
    const t3 = await time(() => three.run(client, { question: "q" }, { lm: slow }).result);
    const t1 = await time(() => one.run(client, { question: "q" }, { lm: slow }).result);
    if (i >= 2) {
      fan.three.push(t3);
      fan.one.push(t1);
    }
  }
  const p = summary(samples.pipeline);
  const s = summary(samples.session);
  const c = summary(samples.calls);
  console.log(`10 dependent Predict steps, instant scripted LM, every token streamed; ${ROUNDS} rounds, interleaved (ms)`);
  console.log("| what | p50 | p99 | mean | speed-up (p50) |");
  console.log("|---|---|---|---|---|");
  console.log(`| baseline: 10 streamPredict calls one by one from TS | ${fmt(c.p50)} | ${fmt(c.p99)} | ${fmt(c.mean)} | 1.0× |`);
  console.log(
    `| pipeline, one run (definition sent and compiled each run) | ${fmt(p.p50)} | ${fmt(p.p99)} | ${fmt(p.mean)} | ${(c.p50 / p.p50).toFixed(2)}× |`,
  );
  console.log(
    `| pipeline, one run in a session (compiled once) | ${fmt(s.p50)} | ${fmt(s.p99)} | ${fmt(s.mean)} | ${(c.p50 / s.p50).toFixed(2)}× |`,
  );
  const floor = JSON.parse(await run(python, [`${root}/bench/composer_direct.py`, String(ROUNDS)], benchEnv)) as {
    p50: number;
    p99: number;
    mean: number;
  };
  console.log(
    `| floor: the 10 steps streamed in-process in Python, no bridge (dspy.streamify) | ${fmt(floor.p50)} | ${fmt(floor.p99)} | ${fmt(floor.mean)} | ${(c.p50 / floor.p50).toFixed(2)}× |`,
  );
  const f3 = summary(fan.three);
  const f1 = summary(fan.one);
  console.log("");
  console.log(`parallel step, each branch one LM call that takes 100 ms (scripted/slow-100); ${fanRounds} rounds, interleaved (ms)`);
  console.log("| what | p50 | p99 | mean | vs one branch (p50) |");
  console.log("|---|---|---|---|---|");
  console.log(`| baseline: 1 branch | ${fmt(f1.p50)} | ${fmt(f1.p99)} | ${fmt(f1.mean)} | 1.00× |`);
  console.log(`| 3 branches | ${fmt(f3.p50)} | ${fmt(f3.p99)} | ${fmt(f3.mean)} | ${(f3.p50 / f1.p50).toFixed(2)}× |`);
} finally {
  await session.close();
  await client.close();
}
