// The demo: `./dev demo "question" [--lm MODEL]`. Answers with ChainOfThought and prints the
// model's reasoning and answer. The default LM is the embedded local model ("local").
import { parseArgs } from "node:util";
import { ConnectError, createClient } from "@dspy-connect/client";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { lm: { type: "string" }, workers: { type: "string", default: "1" } },
});
const question = positionals.join(" ") || "Why is the sky blue?";
const lm = values.lm ?? process.env.DSPY_CONNECT_LM ?? "local";

const started = performance.now();
try {
  const client = await createClient({ workers: Number(values.workers), lm });
  try {
    console.log(`question: ${question}\nlm: ${lm}\n`);
    const out = await client.chainOfThought("question -> answer", { question });
    console.log(`reasoning: ${out.reasoning}\n\nanswer: ${out.answer}`);
    console.log(`\n(${((performance.now() - started) / 1000).toFixed(1)} s)`);
  } finally {
    await client.close();
  }
} catch (error) {
  const e = ConnectError.from(error);
  console.error(`demo failed [${e.code}]: ${e.rawMessage}`);
  process.exitCode = 1;
}
