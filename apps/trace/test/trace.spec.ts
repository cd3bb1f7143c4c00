import { join } from "node:path";
import { runExample } from "@dspy-connect/test-support";
import { expect, it } from "vitest";
import { renderTree } from "../src/span-tree.ts";

it("renders children under their parents, in start order", () => {
  const span = (spanId: string, parentId: string | undefined, startMs: number) => ({
    side: "ts" as const,
    name: spanId,
    spanId,
    parentId,
    startMs,
    durationMs: 1,
    error: false,
  });
  expect(renderTree([span("b", "a", 2), span("a", undefined, 1), span("c", "a", 3), span("d", "c", 4)])).toEqual([
    "[ts] a  1.0 ms",
    "  [ts] b  1.0 ms",
    "  [ts] c  1.0 ms",
    "    [ts] d  1.0 ms",
  ]);
});

it("prints one trace across TypeScript and Python for an agent run with a tool call", () => {
  // The scripted LM calls the agent's tool once, then finishes.
  const output = runExample(join(import.meta.dirname, "..", "src", "trace.ts"), ["Which country is Paris in?"]);
  const tree = output.split("\n").filter((line) => line.includes("] "));
  const depth = (name: string) => {
    const line = tree.find((l) => l.includes(name));
    expect(line, name).toBeDefined();
    return line!.search(/\S/) / 2;
  };
  expect(depth("[ts] dspy_connect.module react")).toBe(0);
  expect(depth("[py] dspy_connect.run")).toBe(1);
  // The TypeScript tool runs under the worker's tool span, deeper in the same tree.
  expect(depth("[ts] dspy_connect.tool city_facts")).toBe(depth("[py] dspy.tool city_facts") + 1);
  expect(tree.some((l) => l.includes("[py] dspy.lm"))).toBe(true);
});
