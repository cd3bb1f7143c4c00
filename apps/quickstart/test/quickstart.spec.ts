import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { expect, it } from "vitest";

it("runs the quickstart as a user would and prints a typed prediction", () => {
  const root = join(import.meta.dirname, "..", "..", "..");
  const output = execFileSync(process.execPath, [join(import.meta.dirname, "..", "src", "quickstart.ts")], {
    env: {
      ...process.env,
      DSPY_CONNECT_PYTHON: process.env.DSPY_CONNECT_PYTHON ?? join(root, "python", ".venv", "bin", "python"),
      // Only the LM provider is scripted here; the pool, workers and DSPy are real.
      DSPY_CONNECT_TEST_PROVIDERS: "1",
      DSPY_CONNECT_LM: "scripted/echo",
    },
    encoding: "utf8",
    timeout: 120_000,
  });
  const line = output.trim();
  const json = line.slice(0, line.lastIndexOf(" "));
  const confidenceType = line.slice(line.lastIndexOf(" ") + 1);
  expect(JSON.parse(json)).toEqual({ answer: "answer: Which planet is largest?", confidence: 0.5 });
  expect(confidenceType).toBe("number");
});
