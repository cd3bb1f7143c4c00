// Answer accuracy and ChainOfThought parse rate of each embedded model and prompt format,
// through the whole bridge (client → worker → DSPy → local LM server), as an app sees them.
//   node bench/local-lm-accuracy.ts [model:format ... | baseline]
// Default: every catalogue model in both prompt formats, then the llama-cpp-python baseline
// (Gemma 3 270M, plain text) if its venv exists (bash bench/baseline/setup.sh).
import { existsSync } from "node:fs";
import { createClient } from "@dspy-connect/client";
import { LOCAL_MODELS } from "@dspy-connect/local-lm";
import { answerMatches, FACTUAL_QUESTIONS } from "./factual-questions.ts";
import { python, root } from "./lib.ts";
import { startServer, stopServer } from "./lm-server-process.ts";
import { QUESTIONS } from "./questions.ts";

const everything = [
  ...LOCAL_MODELS.flatMap((m) => [`${m.name}:template`, `${m.name}:plain`]),
  ...(existsSync(`${root}/.bench/llama-cpp-python/bin/python`) ? ["baseline"] : []),
];
const combos = process.argv.length > 2 ? process.argv.slice(2) : everything;
// As many questions in flight as the server has slots: the figure is quality, not latency.
const CONCURRENCY = 4;

async function inParallel<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

console.log("| model | prompt format | answer accuracy, 60 factual questions | ChainOfThought parse rate, 50 questions | s per question |");
console.log("|---|---|---|---|---|");
for (const combo of combos) {
  const [model, format] =
    combo === "baseline" ? ["gemma-3-270m on llama-cpp-python (baseline)", "plain"] : (combo.split(":") as [string, string]);
  process.env.DSPY_CONNECT_LOCAL_PROMPT_FORMAT = format;
  // The baseline runs outside the client; workers reach it as lm "local" all the same.
  const baseline = combo === "baseline" ? await startServer("baseline") : undefined;
  const client = await createClient({
    workers: 1,
    python,
    lm: "local",
    localModel: model,
    maxConcurrencyPerWorker: CONCURRENCY,
    logger: {},
    ...(baseline ? { env: { DSPY_CONNECT_LOCAL_API_BASE: baseline.apiBase } } : {}),
  });
  const lm = { model: "local", cache: false } as const;
  const wrong: string[] = [];
  let right = 0;
  let parsed = 0;
  const started = performance.now();
  try {
    await inParallel(FACTUAL_QUESTIONS, async ({ question, answers }) => {
      const out = await client
        .chainOfThought("question -> answer", { question }, { lm })
        .catch((e: Error) => ({ answer: `ERROR ${e.message.slice(0, 80)}` }));
      if (answerMatches(String(out.answer), answers)) right++;
      else wrong.push(`${question} → ${JSON.stringify(String(out.answer).slice(0, 60))}`);
    });
    await inParallel(QUESTIONS, async (question) => {
      const out = await client.chainOfThought("question -> answer", { question }, { lm }).catch(() => undefined);
      if (out?.reasoning.trim() && String(out.answer).trim()) parsed++;
    });
  } finally {
    await client.close();
    if (baseline) await stopServer(baseline);
  }
  const seconds = (performance.now() - started) / 1000 / (FACTUAL_QUESTIONS.length + QUESTIONS.length);
  console.log(
    `| ${model} | ${format} | ${right}/60 = ${((right / 60) * 100).toFixed(0)}% | ${parsed}/50 = ${parsed * 2}% | ${seconds.toFixed(2)} |`,
  );
  if (process.env.BENCH_VERBOSE) for (const w of wrong) console.error(`  ${combo} wrong: ${w}`);
}
