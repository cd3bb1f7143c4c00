import { join } from "node:path";
import { runExample } from "@dspy-connect/test-support";
import { expect, it } from "vitest";

it("runs the quickstart as a user would and prints a typed prediction", () => {
  // Only the LM provider is scripted here; the pool, workers and DSPy are real.
  const output = runExample(join(import.meta.dirname, "..", "src", "quickstart.ts"));
  const line = output.trim();
  const json = line.slice(0, line.lastIndexOf(" "));
  const confidenceType = line.slice(line.lastIndexOf(" ") + 1);
  expect(JSON.parse(json)).toEqual({ answer: "answer: Which planet is largest?", confidence: 0.5 });
  expect(confidenceType).toBe("number");
});
