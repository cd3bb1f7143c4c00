// The embedded local model through the bridge: tokens/s beside the same prompt posted straight
// to the LM server from Python (same run), the LM server's RSS, and the ChainOfThought parse rate.
import { readFileSync } from "node:fs";
import { createClient } from "@dspy-connect/client";
import { python, root, run } from "./lib.ts";
import { QUESTIONS } from "./questions.ts";

const THROUGHPUT_QUESTIONS = Number(process.env.BENCH_QUESTIONS ?? 5);
const adapter = process.env.DSPY_CONNECT_ADAPTER ?? "default";

function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8")
    .split("\n")
    .find((l) => l.startsWith("VmRSS:"))!;
  return Number(line.split(/\s+/)[1]) / 1024;
}

const started = performance.now();
const client = await createClient({ workers: 1, python, lm: "local", logger: {} });
const startupS = (performance.now() - started) / 1000;
try {
  const lm = client.stats().localLm!;
  const sample = QUESTIONS.slice(0, THROUGHPUT_QUESTIONS);
  // Warm both paths once.
  await client.call(
    { type: "chain_of_thought", signature: "question -> answer" },
    { question: "warm up" },
    { lm: { model: "local", cache: false } },
  );

  let bridgeTokens = 0;
  let bridgeSeconds = 0;
  for (const question of sample) {
    const t = performance.now();
    const r = await client.call(
      { type: "chain_of_thought", signature: "question -> answer" },
      { question },
      { lm: { model: "local", cache: false } },
    );
    bridgeSeconds += (performance.now() - t) / 1000;
    bridgeTokens += r.usage.completionTokens;
  }
  const direct = JSON.parse(await run(python, [`${root}/bench/local_lm_direct.py`, lm.apiBase, JSON.stringify(sample)])) as {
    seconds: number;
    tokens: number;
  }[];
  const directTokens = direct.reduce((a, d) => a + d.tokens, 0);
  const directSeconds = direct.reduce((a, d) => a + d.seconds, 0);

  let parsed = 0;
  const failures: string[] = [];
  const parseStarted = performance.now();
  for (const question of QUESTIONS) {
    try {
      const out = await client.chainOfThought("question -> answer", { question }, { lm: { model: "local", cache: false } });
      if (out.reasoning.trim() && String(out.answer).trim()) parsed++;
      else failures.push(`${question}: empty field`);
    } catch (error) {
      failures.push(`${question}: ${(error as Error).message.slice(0, 120)}`);
    }
  }
  const parseMinutes = (performance.now() - parseStarted) / 60_000;

  console.log(`local model (${process.env.DSPY_CONNECT_LOCAL_MODEL ?? "the default"}, @dspy-connect/local-lm), adapter: ${adapter}`);
  console.log("| what | through the bridge | baseline: straight to the LM server from Python |");
  console.log("|---|---|---|");
  console.log(
    `| tokens/s, ChainOfThought, ${sample.length} questions | ${(bridgeTokens / bridgeSeconds).toFixed(1)} (${bridgeTokens} tokens) | ${(directTokens / directSeconds).toFixed(1)} (${directTokens} tokens) |`,
  );
  console.log(`| client start with local LM (s) | ${startupS.toFixed(1)} | |`);
  console.log(`| LM server RSS after the runs (MB) | ${rssMb(lm.pid!).toFixed(0)} | |`);
  console.log(
    `| ChainOfThought parse rate, 50 questions | ${parsed}/50 = ${((parsed / 50) * 100).toFixed(0)}% (${parseMinutes.toFixed(1)} min) | |`,
  );
  for (const f of failures) console.log(`  failed: ${f}`);
} finally {
  await client.close();
}
