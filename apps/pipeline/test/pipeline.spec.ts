import { join } from "node:path";
import { runExample } from "@dspy-connect/test-support";
import { expect, it } from "vitest";

it("runs the pipeline demo as a user would: a branch, a parallel step, every step streamed", () => {
  const output = runExample(join(import.meta.dirname, "..", "src", "pipeline.ts"), ["one two"]);
  expect(output).toContain("[think.reasoning] Step by step: one two");
  expect(output).toContain("-- length: answer longer than 200 characters? false -> else");
  expect(output).toContain("-- rewrite: 2 branches at once");
  expect(output).toContain("[rewrite/0/for_a_child.rewrite]");
  expect(output).toContain("[rewrite/1/for_an_expert.rewrite]");
  const result = JSON.parse(output.slice(output.indexOf("RESULT ") + 7).trim());
  expect(result).toEqual({
    answer: "answer: one two",
    summary: "summary: answer: one two",
    rewrites: ["rewrite: summary: answer: one two", "rewrite: summary: answer: one two"],
  });
});
