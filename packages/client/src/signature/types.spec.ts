import { describe, expectTypeOf, it } from "vitest";
import type { ParseSignature, PyTypeToTs, SignatureInputs, SignatureOutputs, SignatureTypeError, WithReasoning } from "./types.js";

declare module "./types.js" {
  interface SignatureTypes {
    Invoice: { total: number };
  }
}

// These assertions are checked by `tsc --noEmit`; at runtime vitest only sees empty bodies.
describe("PyTypeToTs", () => {
  it("maps scalars", () => {
    expectTypeOf<PyTypeToTs<"str">>().toEqualTypeOf<string>();
    expectTypeOf<PyTypeToTs<"int">>().toEqualTypeOf<number>();
    expectTypeOf<PyTypeToTs<"float">>().toEqualTypeOf<number>();
    expectTypeOf<PyTypeToTs<"bool">>().toEqualTypeOf<boolean>();
    expectTypeOf<PyTypeToTs<"Any">>().toEqualTypeOf<unknown>();
  });

  it("maps lists and tuples", () => {
    expectTypeOf<PyTypeToTs<"list[str]">>().toEqualTypeOf<string[]>();
    expectTypeOf<PyTypeToTs<"List[int]">>().toEqualTypeOf<number[]>();
    expectTypeOf<PyTypeToTs<"list[list[int]]">>().toEqualTypeOf<number[][]>();
    expectTypeOf<PyTypeToTs<"tuple[int, ...]">>().toEqualTypeOf<number[]>();
    expectTypeOf<PyTypeToTs<"tuple[int, str]">>().toEqualTypeOf<(number | string)[]>();
    expectTypeOf<PyTypeToTs<"list">>().toEqualTypeOf<unknown[]>();
  });

  it("maps dicts", () => {
    expectTypeOf<PyTypeToTs<"dict[str, int]">>().toEqualTypeOf<Record<string, number>>();
    expectTypeOf<PyTypeToTs<"Dict[str,bool]">>().toEqualTypeOf<Record<string, boolean>>();
    expectTypeOf<PyTypeToTs<"dict[str, list[float]]">>().toEqualTypeOf<Record<string, number[]>>();
    expectTypeOf<PyTypeToTs<"list[dict[str, Any]]">>().toEqualTypeOf<Record<string, unknown>[]>();
  });

  it("maps optionals and unions", () => {
    expectTypeOf<PyTypeToTs<"Optional[str]">>().toEqualTypeOf<string | null>();
    expectTypeOf<PyTypeToTs<"str | None">>().toEqualTypeOf<string | null>();
    expectTypeOf<PyTypeToTs<"int|None">>().toEqualTypeOf<number | null>();
    expectTypeOf<PyTypeToTs<"list[int] | None">>().toEqualTypeOf<number[] | null>();
    expectTypeOf<PyTypeToTs<"Union[int, str]">>().toEqualTypeOf<number | string>();
  });

  it("maps literals", () => {
    expectTypeOf<PyTypeToTs<`Literal['a', "b", 1]`>>().toEqualTypeOf<"a" | "b" | 1>();
    expectTypeOf<PyTypeToTs<"Literal['x, y', 'z']">>().toEqualTypeOf<"x, y" | "z">();
    expectTypeOf<PyTypeToTs<"Literal[True, -2]">>().toEqualTypeOf<true | -2>();
  });

  it("tolerates whitespace", () => {
    expectTypeOf<PyTypeToTs<"  list[ str ]  ">>().toEqualTypeOf<string[]>();
    expectTypeOf<PyTypeToTs<"dict[ str ,  int ]">>().toEqualTypeOf<Record<string, number>>();
  });

  it("maps unknown types to unknown", () => {
    expectTypeOf<PyTypeToTs<"MyModel">>().toEqualTypeOf<unknown>();
    expectTypeOf<PyTypeToTs<"list[MyModel]">>().toEqualTypeOf<unknown[]>();
    expectTypeOf<PyTypeToTs<string>>().toEqualTypeOf<unknown>();
  });
});

describe("ParseSignature", () => {
  it("defaults unannotated fields to string", () => {
    expectTypeOf<ParseSignature<"question -> answer">>().toEqualTypeOf<{
      inputs: { question: string };
      outputs: { answer: string };
    }>();
  });

  it("parses annotated fields on both sides", () => {
    expectTypeOf<ParseSignature<"question: str, context: list[str] -> answer: int">>().toEqualTypeOf<{
      inputs: { question: string; context: string[] };
      outputs: { answer: number };
    }>();
    expectTypeOf<ParseSignature<"a: int, b: float -> total: float, ok: bool">>().toEqualTypeOf<{
      inputs: { a: number; b: number };
      outputs: { total: number; ok: boolean };
    }>();
  });

  it("does not split on commas inside brackets", () => {
    expectTypeOf<SignatureOutputs<"text -> labels: list[Literal['pos', 'neg']]">>().toEqualTypeOf<{
      labels: ("pos" | "neg")[];
    }>();
    expectTypeOf<SignatureOutputs<"q -> meta: dict[str, int]">>().toEqualTypeOf<{
      meta: Record<string, number>;
    }>();
    expectTypeOf<SignatureOutputs<"q -> y: list[dict[str, Any]], n: int">>().toEqualTypeOf<{
      y: Record<string, unknown>[];
      n: number;
    }>();
    expectTypeOf<SignatureOutputs<"q -> scores: dict[str, list[int]]">>().toEqualTypeOf<{
      scores: Record<string, number[]>;
    }>();
  });

  it("parses optional outputs", () => {
    expectTypeOf<SignatureOutputs<"q -> maybe: Optional[str]">>().toEqualTypeOf<{ maybe: string | null }>();
    expectTypeOf<SignatureOutputs<"q -> x: str | None">>().toEqualTypeOf<{ x: string | null }>();
  });

  it("tolerates extra whitespace", () => {
    expectTypeOf<ParseSignature<"  question :  str ,context:list[ str ]->answer  ">>().toEqualTypeOf<{
      inputs: { question: string; context: string[] };
      outputs: { answer: string };
    }>();
    expectTypeOf<ParseSignature<"a,b->c">>().toEqualTypeOf<{
      inputs: { a: string; b: string };
      outputs: { c: string };
    }>();
  });

  it("makes a type name the worker does not know a type error that names it", () => {
    type Message =
      `unknown type "integer": use str, int, float, bool, Any, list[...], dict[...], tuple[...], Optional[...], Union[...], Literal[...], or declare it in SignatureTypes`;
    expectTypeOf<SignatureInputs<"question -> answer: integer">>().toEqualTypeOf<SignatureTypeError<Message>>();
    expectTypeOf<SignatureOutputs<"question -> answer: integer">>().toEqualTypeOf<SignatureTypeError<'unknown type "integer"'>>();
    expectTypeOf<SignatureOutputs<"q: list[Strng] -> a">>().toEqualTypeOf<SignatureTypeError<'unknown type "Strng"'>>();
    expectTypeOf<SignatureOutputs<"q -> a: Optional[MyModel], b: dict[str, Foo]">>().toEqualTypeOf<
      SignatureTypeError<'unknown type "MyModel"' | 'unknown type "Foo"'>
    >();
    // @ts-expect-error: inputs cannot be given to such a signature
    const inputs: SignatureInputs<"question -> answer: integer"> = { question: "q" };
    expectTypeOf(inputs).not.toBeAny();
  });

  it("accepts every name the worker knows, and literal values", () => {
    expectTypeOf<
      SignatureOutputs<"q -> a: Literal['integer', \"x y\", 1, -2, True, None], b: set[int], c: Tuple[int, ...]">
    >().toEqualTypeOf<{
      a: "integer" | "x y" | 1 | -2 | true | null;
      b: unknown;
      c: number[];
    }>();
    expectTypeOf<SignatureOutputs<"q -> a: Union[int, NoneType], b: List[Dict[str, Any]]">>().toHaveProperty("b");
  });

  it("maps types declared in SignatureTypes (registered by the worker's plugins)", () => {
    expectTypeOf<SignatureOutputs<"text -> invoice: Invoice, all: list[Invoice]">>().toEqualTypeOf<{
      invoice: { total: number };
      all: { total: number }[];
    }>();
  });

  it("exposes inputs and outputs shortcuts", () => {
    expectTypeOf<SignatureInputs<"q: int -> a">>().toEqualTypeOf<{ q: number }>();
    expectTypeOf<SignatureOutputs<"q: int -> a">>().toEqualTypeOf<{ a: string }>();
  });

  it("falls back to open records for a wide string", () => {
    expectTypeOf<ParseSignature<string>>().toEqualTypeOf<{
      inputs: Record<string, unknown>;
      outputs: Record<string, unknown>;
    }>();
    expectTypeOf<SignatureInputs<string>>().toEqualTypeOf<Record<string, unknown>>();
    expectTypeOf<SignatureOutputs<string>>().toEqualTypeOf<Record<string, unknown>>();
  });

  it("rejects a literal without exactly one arrow", () => {
    expectTypeOf<ParseSignature<"question, answer">>().toBeNever();
    expectTypeOf<ParseSignature<"a -> b -> c">>().toBeNever();
  });
});

describe("WithReasoning", () => {
  it("adds a reasoning string to the outputs", () => {
    type Out = WithReasoning<SignatureOutputs<"question -> answer: int">>;
    // `.branded` compares the intersection structurally.
    expectTypeOf<Out>().branded.toEqualTypeOf<{ reasoning: string; answer: number }>();
  });
});
