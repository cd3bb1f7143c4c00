import type { DspyClient } from "@dspy-connect/client";
import { streamReact } from "@dspy-connect/streaming";
import { startClient } from "@dspy-connect/test-support";
import { afterAll, beforeAll, expect, it } from "vitest";
import { z } from "zod";
import { defineTool } from "../src/index.js";

// The request side stays open for tool results; a reader pausing after the last tool call
// must still get the run's `done` (see streaming's slow-reader.spec.ts).
const ROUNDS = Math.max(6, Math.ceil(Number(process.env.DSPY_CONNECT_CHAOS_ROUNDS ?? 0) / 10));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let client: DspyClient;
beforeAll(async () => {
  client = await startClient({ workers: 1 });
});
afterAll(() => client?.close());

it("a run with a TypeScript tool, paused after the tool's result went back", async () => {
  const echo = defineTool({
    name: "echo_text",
    description: "Echoes its input.",
    input: z.object({ text: z.string() }),
    execute: ({ text }) => text,
  });
  for (let round = 0; round < ROUNDS; round++) {
    const run = streamReact(client, "question -> answer", { question: "q" }, { tools: [echo] });
    const types: string[] = [];
    for await (const event of run) {
      types.push(event.type);
      if (event.type === "observation") await sleep(50);
    }
    expect(types, `round ${round}`).toContain("observation");
    expect(types.at(-1), `round ${round}`).toBe("done");
  }
});
