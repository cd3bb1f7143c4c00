import type { DspyClient } from "@dspy-connect/client";
import { streamBatchPredict } from "@dspy-connect/streaming";
import cliProgress from "cli-progress";

const QUESTIONS = [
  "What is the capital of France?",
  "What color is the sky on a clear day?",
  "How many legs does a spider have?",
  "What do bees make?",
  "What is the largest planet in the solar system?",
  "What is frozen water called?",
  "Which animal is known as the king of the jungle?",
  "What is the opposite of hot?",
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
  const run = streamBatchPredict(client, "question -> answer", items, { concurrency: 4, ordered: false });
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
