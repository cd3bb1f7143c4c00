import { describe, expect, it } from "vitest";
import { compatible, elementType, parseSignature } from "./fields.js";

describe("signature fields at run time", () => {
  it("parses names and types, brackets and quotes included", () => {
    expect(parseSignature("question, ctx: dict[str, list[int]], mode: Literal['a, b', 'c'] -> answer: int", "t")).toEqual({
      inputs: [
        { name: "question", type: "str" },
        { name: "ctx", type: "dict[str, list[int]]" },
        { name: "mode", type: "Literal['a, b', 'c']" },
      ],
      outputs: [{ name: "answer", type: "int" }],
    });
  });

  it.each([
    ["str", "str", true],
    ["int", "float", true],
    ["int", "str", false],
    ["list[str]", "List[str]", true],
    ["list[str]", "list", true],
    ["list[int]", "list[str]", false],
    ["str", "Optional[str]", true],
    ["str | None", "str", false],
    ["Literal['a', 'b']", "str", true],
    ["Any", "int", true],
    ["MyModel", "str", true], // a worker-registered type: the worker decides
    ["dict[str, int]", "dict[str, float]", true],
  ])("%s feeds %s: %s", (produced, consumed, expected) => {
    expect(compatible(produced, consumed)).toBe(expected);
  });

  it("knows list element types", () => {
    expect(elementType("list[dict[str, int]]")).toBe("dict[str,int]");
    expect(elementType("str")).toBe("Any");
  });
});
