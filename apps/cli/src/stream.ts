import type { DspyClient } from "@dspy-connect/client";
import { streamChainOfThought } from "@dspy-connect/streaming";

/** Prints each output field's tokens as they arrive, under the field's name. */
export async function streamAnswer(client: DspyClient, question: string, lm: string): Promise<void> {
  console.log(`question: ${question}\nlm: ${lm}\n`);
  const run = streamChainOfThought(client, "question -> answer", { question });
  let field = "";
  let firstToken = 0;
  const t0 = performance.now();
  for await (const event of run) {
    if (event.type === "token") {
      firstToken ||= performance.now() - t0;
      if (event.field !== field) {
        field = event.field;
        process.stdout.write(`${field === "reasoning" ? "" : "\n\n"}${field}: `);
      }
      process.stdout.write(event.delta);
    } else if (event.type === "error") {
      throw new Error(event.message);
    }
  }
  const result = await run.result;
  if (!field) console.log(`reasoning: ${result.reasoning}\n\nanswer: ${result.answer}`); // nothing streamed (a cached reply)
  console.log(`\n\n(first token after ${(firstToken / 1000).toFixed(2)} s)`);
}
