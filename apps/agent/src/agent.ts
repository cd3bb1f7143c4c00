// A Python ReAct agent answers from a SQLite table through a TypeScript tool:
//   pnpm --filter @dspy-connect/example-agent start "Which country is Paris in?"
// The default LM is the embedded local model; DSPY_CONNECT_LM picks any LiteLLM model.
import { ConnectError, createClient } from "@dspy-connect/client";
import { streamReact } from "@dspy-connect/streaming";
import { cityFacts, openCities } from "./cities.ts";

const question = process.argv.slice(2).join(" ") || "Which country is Paris in?";
const db = openCities();
const client = await createClient({ lm: process.env.DSPY_CONNECT_LM ?? "local" });
try {
  console.log(`Q: ${question}`);
  const run = streamReact(
    client,
    "question -> answer",
    { question },
    {
      tools: [cityFacts(db)],
      maxIters: 2,
      instructions: "Answer from the cities database: call city_facts with the city name, then finish.",
    },
  );
  for await (const event of run) {
    if (event.type === "thought") console.log(`  thought: ${event.text}`);
    if (event.type === "tool_start") console.log(`  -> ${event.tool}(${JSON.stringify(event.args)})`);
    if (event.type === "observation") console.log(`  <- ${JSON.stringify(event.observation)}`);
    if (event.type === "tool_error") console.log(`  !! ${event.tool} ${event.kind}: ${event.message}`);
  }
  console.log(`A: ${(await run.result).answer}`);
} catch (error) {
  console.error(`agent failed: ${ConnectError.from(error).message}`);
  process.exitCode = 1;
} finally {
  await client.close();
  db.close();
}
