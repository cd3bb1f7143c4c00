import { type ToolContext, ToolError } from "@dspy-connect/client";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineTool } from "./define-tool.js";

function context(chunks: unknown[] = []): ToolContext {
  return { signal: new AbortController().signal, callId: "c1", sessionId: undefined, emit: (c) => chunks.push(c) };
}

describe("defineTool", () => {
  it("turns a zod schema into the JSON Schema DSPy expects", () => {
    const tool = defineTool({
      name: "lookup",
      description: "Finds a city.",
      input: z.object({ city: z.string().describe("the city"), limit: z.number().int().optional() }),
      execute: () => null,
    });
    expect(tool.inputSchema).toMatchObject({
      type: "object",
      properties: { city: { type: "string", description: "the city" }, limit: { type: "integer" } },
      required: ["city"],
    });
    expect(tool.inputSchema).not.toHaveProperty("$schema");
  });

  it("validates with zod before execute, with the failing path in the message", async () => {
    const tool = defineTool({ name: "t", description: "", input: z.object({ n: z.number() }), execute: ({ n }) => n * 2 });
    expect(await tool.invoke({ n: 2 }, context())).toBe(4);
    const error = await tool.invoke({ n: "2" }, context()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolError);
    expect(error).toMatchObject({ kind: "invalid_args", message: expect.stringMatching(/^invalid arguments for tool t: n: /) });
  });

  it("validates plain JSON Schema with ajv", async () => {
    const tool = defineTool({
      name: "t",
      description: "",
      input: { type: "object", properties: { q: { type: "string", minLength: 2 } }, required: ["q"], additionalProperties: false },
      execute: (args) => args,
    });
    expect(await tool.invoke({ q: "ok" }, context())).toEqual({ q: "ok" });
    await expect(tool.invoke({ q: "x" }, context())).rejects.toMatchObject({
      kind: "invalid_args",
      message: expect.stringContaining("args/q must NOT have fewer than 2 characters"),
    });
    await expect(tool.invoke({ q: "ok", extra: 1 }, context())).rejects.toMatchObject({ kind: "invalid_args" });
  });

  it("emits each chunk of an async iterable and joins them", async () => {
    const chunks: unknown[] = [];
    const text = defineTool({
      name: "t",
      description: "",
      input: z.object({}),
      async *execute() {
        yield "a";
        yield "b";
      },
    });
    expect(await text.invoke({}, context(chunks))).toBe("ab");
    expect(chunks).toEqual(["a", "b"]);
    const rows = defineTool({
      name: "t",
      description: "",
      input: z.object({}),
      async *execute() {
        yield { id: 1 };
        yield "x";
      },
    });
    expect(await rows.invoke({}, context())).toEqual([{ id: 1 }, "x"]);
  });

  it("refuses inputs that are not object schemas", () => {
    expect(() => defineTool({ name: "t", description: "", input: z.string(), execute: () => 1 })).toThrow(/must describe an object/);
    expect(() =>
      defineTool({ name: "t", description: "", input: { type: "object", properties: { a: { type: "nope" } } }, execute: () => 1 }),
    ).toThrow(/invalid JSON Schema/);
  });
});
