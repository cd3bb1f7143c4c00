import { createClient, type DspyClient } from "@dspy-connect/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { streamBatchPredict, streamChainOfThought } from "../src/index.js";
import { python } from "./helpers.js";

// End to end on the real embedded model (the default, on node-llama-cpp): structure, not wording.
describe("streaming from the embedded local LM", () => {
  let client: DspyClient;
  beforeAll(async () => {
    client = await createClient({ workers: 1, python, logger: {} }); // lm defaults to "local"
  }, 600_000);
  afterAll(() => client?.close());

  it("streams reasoning, then answer tokens, the first before the model has finished", async () => {
    const run = streamChainOfThought(client, "question -> answer", { question: "What is the capital of France?" });
    const opened = performance.now(); // event times are ms since the run started
    let firstReceived: number | undefined;
    let lastProduced = 0;
    const fields: string[] = [];
    for await (const event of run) {
      if (event.type !== "token") continue;
      firstReceived ??= performance.now() - opened;
      lastProduced = event.time;
      if (fields.at(-1) !== event.field) fields.push(event.field);
    }
    const out = await run.result;
    expect(fields).toEqual(["reasoning", "answer"]);
    expect(firstReceived).toBeLessThan(lastProduced);
    expect(out.reasoning.trim()).not.toBe("");
    expect(out.answer.trim()).not.toBe("");
  }, 120_000);

  it("serves streams at once from the shared server: requests queue, none is cut short", async () => {
    // Two streams at once share the server's slots (the llama-cpp-python server this replaced
    // cut a streaming answer short when another request arrived, unless told not to).
    const questions = ["What is the capital of Italy?", "Name a primary color."];
    const results = await Promise.all(questions.map((question) => streamChainOfThought(client, "question -> answer", { question }).result));
    for (const out of results) {
      expect(out.reasoning.trim()).not.toBe("");
      expect(out.answer.trim()).not.toBe("");
    }
  }, 180_000);

  it("runs a small batch with typed outputs", async () => {
    const items = [{ question: "What is 1 + 1?" }, { question: "What is 2 + 2?" }];
    const run = streamBatchPredict(client, "question -> answer: int", items, { concurrency: 2 });
    const outputs = [];
    for await (const event of run) if (event.type === "item_complete") outputs.push(event.output.answer);
    expect(await run.result).toMatchObject({ total: 2, completed: 2 });
    expect(outputs.every((v) => typeof v === "number")).toBe(true);
  }, 120_000);
});
