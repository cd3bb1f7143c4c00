import type { DspyClient } from "@dspy-connect/client";
import { streamBatch } from "@dspy-connect/streaming";
import cliProgress from "cli-progress";

// Questions the default 135M model answers right with ChainOfThought: it gets about a third
// of general factual questions right (docs/benchmarks.md), and a demo should show it working.
const QUESTIONS = [
  "What is the capital of France?",
  "How many months are in a year?",
  "Who painted the Mona Lisa?",
  "What is the largest ocean on Earth?",
  "What is the plural of mouse?",
  "Who was the first person to walk on the Moon?",
  "What is the capital of Japan?",
  "In which country are the pyramids of Giza?",
];

/** Answers `count` sample questions across the pool, with a live progress bar. */
export async function runBatchDemo(client: DspyClient, count: number): Promise<void> {
  const items = Array.from({ length: count }, (_, i) => ({ question: QUESTIONS[i % QUESTIONS.length]! }));
  const bar = new cliProgress.SingleBar(
    { format: "answering |{bar}| {value}/{total} done, {failed} failed", hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(items.length, 0, { failed: 0 });
  const answers = new Map<number, string>();
  const program = { type: "chain_of_thought", signature: "question -> answer" } as const;
  const run = streamBatch(client, program, items, { concurrency: 4, ordered: false });
  for await (const event of run) {
    if (event.type === "progress") bar.update(event.completed, { failed: event.failed });
    else if (event.type === "item_complete") answers.set(event.index, String(event.output.answer));
    else if (event.type === "item_error") answers.set(event.index, `(failed: ${event.error.message})`);
  }
  bar.stop();
  const summary = await run.result;
  for (const [i, item] of items.entries()) console.log(`${item.question}\n  -> ${answers.get(i)}`);
  console.log(`\n${summary.completed - summary.failed} answered, ${summary.failed} failed`);
}
