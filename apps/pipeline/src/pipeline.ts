// The composer demo: `pnpm --filter @dspy-connect/example-pipeline start "question"`.
// One worker call runs the whole pipeline: an answer with its reasoning, a branch on how
// long the answer is, then two rewrites at the same time. Every step's tokens stream live,
// labelled with the step's path. The default LM is the embedded local model.
import { ConnectError, createClient } from "@dspy-connect/client";
import { concat, field, len, pipeline } from "@dspy-connect/composer";

// A question the default 135M model answers right, so every step shows sensible text.
const question = process.argv.slice(2).join(" ") || "Who painted the Mona Lisa?";
const lm = process.env.DSPY_CONNECT_LM ?? "local";

const explain = pipeline("explain")
  .chainOfThought("question -> answer", { name: "think" })
  .branch(
    len(field("answer")).gt(200),
    pipeline("long").predict("text -> summary", { name: "shorten", inputs: { text: "answer" } }),
    pipeline("short").predict("answer -> summary", { name: "keep" }),
    { name: "length" },
  )
  .parallel(
    [
      pipeline("child").predict("summary -> rewrite", { name: "for_a_child", instructions: "Rewrite the summary for a ten-year-old." }),
      pipeline("expert").predict("summary -> rewrite", { name: "for_an_expert", instructions: "Rewrite the summary for an expert." }),
    ],
    concat("rewrite", { into: "rewrites" }),
    { name: "rewrite" },
  );

const client = await createClient({ workers: 1, lm });
try {
  console.log(`question: ${question}\nlm: ${lm}\n`);
  const run = explain.run(client, { question }, { signal: AbortSignal.timeout(300_000) });
  let current = "";
  for await (const event of run) {
    if (event.type === "token") {
      const label = `${event.path}.${event.field}`;
      if (label !== current) {
        current = label;
        process.stdout.write(`\n[${label}] `);
      }
      process.stdout.write(event.delta);
    } else if (event.type === "branch_taken") {
      process.stdout.write(`\n\n-- ${event.path}: answer longer than 200 characters? ${event.value} -> ${event.taken}`);
    } else if (event.type === "parallel_start") {
      process.stdout.write(`\n\n-- ${event.path}: ${event.branches} branches at once`);
    } else if (event.type === "step_complete") {
      process.stdout.write(`\n-- ${event.path} done in ${event.durationMs.toFixed(0)} ms`);
      current = "";
    }
  }
  const result = await run.result;
  console.log(`\n\nRESULT ${JSON.stringify({ answer: result.answer, summary: result.summary, rewrites: result.rewrites })}`);
} catch (error) {
  const e = ConnectError.from(error);
  console.error(`pipeline failed [${e.code}]: ${e.rawMessage}`);
  process.exitCode = 1;
} finally {
  await client.close();
}
