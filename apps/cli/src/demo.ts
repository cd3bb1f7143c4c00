// The demo: `./dev demo "question" [--lm MODEL] [--batch N]`.
// Streams ChainOfThought's reasoning and answer tokens live as the model writes them.
// With --batch N it answers N sample questions across the pool behind a progress bar.
// The default LM is the embedded local model ("local").
import { parseArgs } from "node:util";
import { ConnectError, createClient } from "@dspy-connect/client";
import { runBatchDemo } from "./batch.ts";
import { streamAnswer } from "./stream.ts";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { lm: { type: "string" }, workers: { type: "string" }, batch: { type: "string" } },
});
const question = positionals.join(" ") || "Why is the sky blue?";
const lm = values.lm ?? process.env.DSPY_CONNECT_LM ?? "local";
const batch = values.batch === undefined ? 0 : Number(values.batch);

const started = performance.now();
try {
  const client = await createClient({ workers: Number(values.workers ?? (batch ? 2 : 1)), lm });
  try {
    if (batch) await runBatchDemo(client, batch);
    else await streamAnswer(client, question, lm);
    console.log(`\n(${((performance.now() - started) / 1000).toFixed(1)} s)`);
  } finally {
    await client.close();
  }
} catch (error) {
  const e = ConnectError.from(error);
  console.error(`demo failed [${e.code}]: ${e.rawMessage}`);
  process.exitCode = 1;
}
