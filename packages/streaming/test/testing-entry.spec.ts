// Streams in a user's test suite: only public entry points (`@dspy-connect/client`,
// `@dspy-connect/client/testing`, `@dspy-connect/streaming`, resolved through package.json
// `exports`), a real worker over its real socket, and the scripted LM.
import { fileURLToPath } from "node:url";
import type { DspyClient, RunTool } from "@dspy-connect/client";
import { createTestClient, scriptedLm } from "@dspy-connect/client/testing";
import { streamPredict, streamReact } from "@dspy-connect/streaming";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const python = process.env.DSPY_CONNECT_PYTHON ?? fileURLToPath(new URL("../../../python/.venv/bin/python", import.meta.url));

describe("streams on the test LM", () => {
  let client: DspyClient;
  beforeAll(async () => {
    client = await createTestClient({ python, logger: {} });
  });
  afterAll(() => client?.close());

  it("streams a scripted answer token by token", async () => {
    const answer = "Paris is the capital of France";
    const lm = scriptedLm.outputs({ answer }, { model: scriptedLm.tokens(1) });
    const run = streamPredict(client, "question -> answer", { question: "Capital of France?" }, { lm });
    const deltas: string[] = [];
    for await (const event of run) if (event.type === "token") deltas.push(event.delta);
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join("")).toBe(answer);
    expect(await run.result).toEqual({ answer });
  });

  it("scripts an agent's steps: it calls your TypeScript tool with the scripted arguments", async () => {
    const calls: unknown[] = [];
    const cityFacts: RunTool = {
      name: "city_facts",
      description: "Population of a city.",
      inputSchema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
      invoke: async (args) => {
        calls.push(args);
        return { population: 520_000 };
      },
    };
    const lm = scriptedLm.outputs([
      { next_thought: "Look it up.", next_tool_name: "city_facts", next_tool_args: { city: "Lyon" } },
      { next_thought: "I know it now.", next_tool_name: "finish", next_tool_args: {} },
      { answer: "About 520,000 people." },
    ]);
    const run = streamReact(client, "question -> answer", { question: "How big is Lyon?" }, { tools: [cityFacts], lm });
    const steps: string[] = [];
    for await (const event of run) {
      if (event.type === "thought") steps.push(`thought: ${event.text}`);
      if (event.type === "tool_start") steps.push(`call: ${event.tool}`);
      if (event.type === "observation") steps.push(`observed: ${JSON.stringify(event.observation)}`);
    }
    expect(calls).toEqual([{ city: "Lyon" }]);
    expect(steps).toEqual([
      "thought: Look it up.",
      "call: city_facts",
      'observed: {"population":520000}',
      "thought: I know it now.",
      "call: finish",
      'observed: "Completed."',
    ]);
    expect((await run.result).answer).toBe("About 520,000 people.");
  });
});
