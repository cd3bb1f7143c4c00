import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { expect, it } from "vitest";

it("runs the agent as a user would: the Python agent calls the TS tool, which reads SQLite", () => {
  const root = join(import.meta.dirname, "..", "..", "..");
  const output = execFileSync(process.execPath, ["--no-warnings", join(import.meta.dirname, "..", "src", "agent.ts"), "How many people live in Lyon?"], {
    env: {
      ...process.env,
      DSPY_CONNECT_PYTHON: process.env.DSPY_CONNECT_PYTHON ?? join(root, "python", ".venv", "bin", "python"),
      // Only the LM provider is scripted: it calls the agent's first tool once, then finishes.
      DSPY_CONNECT_TEST_PROVIDERS: "1",
      DSPY_CONNECT_LM: "scripted/echo",
    },
    encoding: "utf8",
    timeout: 120_000,
  });
  const lines = output.trim().split("\n");
  expect(lines[0]).toBe("Q: How many people live in Lyon?");
  expect(lines).toContain('  -> city_facts({"city":"next_tool_args: How many people live in Lyon?"})');
  expect(lines).toContain('  <- [{"name":"Lyon","country":"France","population":522250}]');
  expect(lines.at(-1)).toBe("A: answer: How many people live in Lyon?");
});
