import { Code, ConnectError, checkTool } from "@dspy-connect/client";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineTool } from "./define-tool.js";

const define = (name: string) => () =>
  defineTool({ name, description: "A tool.", input: z.object({ q: z.string() }), execute: () => "ok" });

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe("defineTool checks the name at once (the worker's rule, from tool_names.proto)", () => {
  it.each(["bad name!", "1st", "dotted.name", "", "x".repeat(65)])("refuses %j with InvalidArgument", (name) => {
    const error = thrown(define(name));
    expect(error).toBeInstanceOf(ConnectError);
    expect(error).toMatchObject({
      code: Code.InvalidArgument,
      rawMessage: `tool name ${JSON.stringify(name)} must be a letter or _, then letters, digits, _ or - (64 at most)`,
    });
  });

  it("refuses finish: DSPy's ReAct would replace it with its own", () => {
    const error = thrown(define("finish"));
    expect(error).toBeInstanceOf(ConnectError);
    expect(error).toMatchObject({
      code: Code.InvalidArgument,
      rawMessage: 'tool name "finish" is reserved: DSPy\'s agents have a tool of that name, which would replace this one',
    });
  });

  it.each(["lookup", "_private", "city-facts_2", `a${"b".repeat(63)}`, "Finish"])("accepts %j", (name) => {
    expect(define(name)().name).toBe(name);
  });
});

describe("a hand-made RunTool (not from defineTool)", () => {
  it("is held to the same rule when a run brings it", () => {
    const finish = { name: "finish", description: "", inputSchema: { type: "object", properties: {} }, invoke: async () => "done" };
    expect(thrown(() => checkTool(finish))).toMatchObject({
      code: Code.InvalidArgument,
      rawMessage: expect.stringContaining("is reserved"),
    });
  });
});
