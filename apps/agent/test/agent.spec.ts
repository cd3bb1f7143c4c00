import { join } from "node:path";
import { runExample } from "@dspy-connect/test-support";
import { expect, it } from "vitest";

it("runs the agent as a user would: the Python agent calls the TS tool, which reads SQLite", () => {
  // The scripted LM calls the agent's first tool once, then finishes.
  const output = runExample(join(import.meta.dirname, "..", "src", "agent.ts"), ["How many people live in Lyon?"]);
  const lines = output.trim().split("\n");
  expect(lines[0]).toBe("Q: How many people live in Lyon?");
  expect(lines).toContain('  -> city_facts({"city":"next_tool_args: How many people live in Lyon?"})');
  expect(lines).toContain('  <- "Lyon is a city in France with 522,250 inhabitants."');
  expect(lines.at(-1)).toBe("A: answer: How many people live in Lyon?");
});
