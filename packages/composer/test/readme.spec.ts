// The README's composer example, as written there (only the client differs), so its types
// and its behaviour are checked.

import type { DspyClient } from "@dspy-connect/client";
import { afterAll, beforeAll, expect, expectTypeOf, it } from "vitest";
import { concat, field, len, pipeline } from "../src/index.js";
import { startClient } from "./helpers.js";

let client: DspyClient;
beforeAll(async () => {
  client = await startClient({ workers: 1 });
});
afterAll(() => client?.close());

it("the README's pipeline runs and is typed", async () => {
  const explain = pipeline("explain")
    .chainOfThought("question -> answer") // adds `reasoning`
    .branch(
      len(field("answer")).gt(200), // a condition is data, evaluated in the worker
      pipeline("long").predict("answer -> summary"),
      pipeline("short").predict("question, answer -> summary"),
    )
    .parallel(
      [
        pipeline("fr").predict("summary -> text", { instructions: "In French." }),
        pipeline("de").predict("summary -> text", { instructions: "In German." }),
      ],
      concat("text", { into: "translations" }),
    );

  const run = explain.run(client, { question: "Why is the sky blue?" }, { signal: AbortSignal.timeout(60_000) });
  const paths = new Set<string>();
  for await (const e of run) if (e.type === "token") paths.add(e.path);
  const { answer, summary, translations } = await run.result; // string, string, string[]
  expectTypeOf(answer).toEqualTypeOf<string>();
  expectTypeOf(summary).toEqualTypeOf<string>();
  expectTypeOf(translations).toEqualTypeOf<string[]>();
  expect(summary).toBe("summary: Why is the sky blue?");
  expect(translations).toEqual(["text: summary: Why is the sky blue?", "text: summary: Why is the sky blue?"]);
  expect(paths).toContain("parallel_2/0/predict_0");
  expect(paths).toContain("branch_1/else/predict_0");
});
