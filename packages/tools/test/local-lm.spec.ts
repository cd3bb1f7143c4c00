import { createClient, type DspyClient } from "@dspy-connect/client";
import { streamReact } from "@dspy-connect/streaming";
import { collect, ofType } from "@dspy-connect/test-support";
import { afterAll, beforeAll, expect, it } from "vitest";
import { z } from "zod";
import { defineTool } from "../src/index.js";

// End to end on the embedded model (the default): structure, not wording. The local
// model's adapter constrains each agent step to a real tool with that tool's arguments.
let client: DspyClient;
beforeAll(async () => {
  client = await createClient({
    workers: 1,
    python: process.env.DSPY_CONNECT_PYTHON ?? `${import.meta.dirname}/../../../python/.venv/bin/python`,
    logger: {},
  });
}, 600_000);
afterAll(() => client?.close());

it("a Python agent on the local model calls a TS tool with arguments that match its schema", async () => {
  const seen: unknown[] = [];
  const lookup = defineTool({
    name: "city_facts",
    description: "Country and population of a city.",
    input: z.object({ city: z.string() }),
    execute: ({ city }) => {
      seen.push(city);
      return { city, country: "France", population: 522250 };
    },
  });
  const events = await collect(
    streamReact(client, "question -> answer", { question: "How many people live in Lyon?" }, { tools: [lookup], maxIters: 2 }),
  );
  expect(events.at(-1)?.type).toBe("done");
  for (const start of ofType(events, "tool_start")) {
    if (start.tool === "city_facts") expect(start.args).toEqual({ city: expect.any(String) });
    else expect(start.tool).toBe("finish");
  }
  expect(ofType(events, "tool_error")).toEqual([]);
  expect(seen.length).toBe(ofType(events, "tool_start").filter((s) => s.tool === "city_facts").length);
}, 180_000);
