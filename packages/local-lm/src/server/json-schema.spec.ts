import { describe, expect, it } from "vitest";
import { toGrammarSchema, UnsupportedSchemaError } from "./json-schema.js";

describe("toGrammarSchema", () => {
  it("keeps a pydantic object's shape and drops its annotations", () => {
    const pydantic = {
      title: "Outputs",
      type: "object",
      properties: {
        reasoning: { title: "Reasoning", type: "string" },
        answer: { title: "Answer", type: "integer", minimum: 0 },
        tags: { title: "Tags", type: "array", items: { type: "string", pattern: "^[a-z]+$" } },
      },
      required: ["reasoning", "answer", "tags"],
    };
    expect(toGrammarSchema(pydantic)).toEqual({
      type: "object",
      properties: { reasoning: { type: "string" }, answer: { type: "integer" }, tags: { type: "array", items: { type: "string" } } },
      additionalProperties: false,
      required: ["reasoning", "answer", "tags"],
    });
  });

  it("turns anyOf (Optional, tool choices) into oneOf, and keeps const, enum and $defs", () => {
    const schema = {
      anyOf: [
        { type: "object", properties: { next_tool_name: { const: "search" }, choice: { $ref: "#/$defs/Choice" } } },
        { type: "object", properties: { next_tool_name: { const: "finish" }, note: { anyOf: [{ type: "string" }, { type: "null" }] } } },
      ],
      $defs: { Choice: { enum: ["a", "b"], title: "Choice" } },
    };
    expect(toGrammarSchema(schema)).toEqual({
      $defs: { Choice: { enum: ["a", "b"] } },
      oneOf: [
        {
          type: "object",
          properties: { next_tool_name: { const: "search" }, choice: { $ref: "#/$defs/Choice" } },
          additionalProperties: false,
        },
        {
          type: "object",
          properties: { next_tool_name: { const: "finish" }, note: { oneOf: [{ type: "string" }, { type: "null" }] } },
          additionalProperties: false,
        },
      ],
    });
  });

  it("lets an object without listed properties (dict[str, Any]) hold any keys, and `{}` any value", () => {
    expect(toGrammarSchema({ type: "object" })).toEqual({ type: "object", additionalProperties: true });
    expect(toGrammarSchema({ type: "object", additionalProperties: { type: "number" } })).toEqual({
      type: "object",
      additionalProperties: { type: "number" },
    });
    expect(toGrammarSchema({ type: "array", items: {} })).toMatchObject({ type: "array", items: { oneOf: expect.any(Array) } });
  });

  it("rejects what it cannot constrain, naming where", () => {
    expect(() => toGrammarSchema({ type: "object", properties: { a: { $ref: "https://example.com/s.json" } } })).toThrow(
      new UnsupportedSchemaError('#/properties/a: only local "#/$defs/..." references are supported'),
    );
    expect(() => toGrammarSchema({ allOf: [{ type: "string" }, { type: "number" }] })).toThrow(/allOf with several schemas/);
    expect(() => toGrammarSchema({ properties: {}, not: {} })).toThrow(/no type, enum, const, anyOf or \$ref/);
    expect(() => toGrammarSchema("string")).toThrow(/a schema must be an object/);
  });
});
