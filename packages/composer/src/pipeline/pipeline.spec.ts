import { Code, ConnectError } from "@dspy-connect/client";
import { describe, expect, expectTypeOf, it } from "vitest";
import { bestBy, concat, firstNonEmpty, majorityVote, mergeObjects } from "../aggregators/aggregators.js";
import { and, field, len, not } from "../conditions/conditions.js";
import { type Pipeline, pipeline } from "./pipeline.js";
import type { PipelineTypeError } from "./types.js";

function invalid(build: () => unknown, message: RegExp): void {
  try {
    build();
  } catch (error) {
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(Code.InvalidArgument);
    expect((error as ConnectError).rawMessage).toMatch(message);
    return;
  }
  throw new Error("expected an InvalidArgument ConnectError");
}

describe("the wire definition", () => {
  it("lists steps in order, infers the inputs and maps names", () => {
    const p = pipeline("qa")
      .predict("question -> answer", { name: "draft" })
      .chainOfThought("text, question -> verdict: bool", { inputs: { text: "answer" }, outputs: { verdict: "ok" } })
      .predict("answer, ok: bool, topic -> final", { onError: { retry: 2 } });
    expect(p.definition()).toEqual({
      version: 1,
      name: "qa",
      inputs: { question: "str", topic: "str" },
      steps: [
        { kind: "predict", name: "draft", signature: "question -> answer" },
        {
          kind: "chain_of_thought",
          name: "chain_of_thought_1",
          signature: "text, question -> verdict: bool",
          inputs: { text: "answer" },
          outputs: { verdict: "ok" },
        },
        { kind: "predict", name: "predict_2", signature: "answer, ok: bool, topic -> final", on_error: "retry", retries: 2 },
      ],
    });
    expect(p.inputs).toEqual({ question: "str", topic: "str" });
  });

  it("nests branches, parallel steps, maps and sub-pipelines", () => {
    const yes = pipeline("yes").predict("answer -> final");
    const no = pipeline("no").predict("question -> final");
    const p = pipeline("flow", { inputs: "question: str, items: list[str]" })
      .predict("question -> answer")
      .branch(field("answer").contains("yes"), yes, no, { name: "route" })
      .parallel([pipeline("a").predict("final -> label"), pipeline("b").predict("question -> label")], majorityVote("label"), {
        name: "vote",
        onError: "continue",
      })
      .map("items", pipeline("each").predict("item -> summary"), { into: "summaries", select: "summary", concurrency: 2 })
      .pipeline(pipeline("tail").predict("label -> out"));
    const steps = p.definition().steps;
    expect(steps.map((s) => [s.kind, s.name])).toEqual([
      ["predict", "predict_0"],
      ["branch", "route"],
      ["parallel", "vote"],
      ["map", "map_3"],
      ["pipeline", "tail"],
    ]);
    expect(steps[1]).toMatchObject({
      condition: { op: "contains", left: { field: "answer" }, right: { value: "yes" } },
      then: { name: "yes", inputs: { answer: "str" } },
      else: { name: "no" },
    });
    expect(steps[2]).toMatchObject({ aggregate: { kind: "majority", field: "label", into: "label" }, on_error: "continue" });
    expect(steps[3]).toMatchObject({
      over: "items",
      as: "item",
      into: "summaries",
      select: "summary",
      concurrency: 2,
      pipeline: { inputs: { item: "str" } },
    });
  });

  it("the same pipeline has the same id; a different one another", () => {
    const a = pipeline("p").predict("question -> answer");
    const b = pipeline("p").predict("question -> answer");
    expect(a.encoded().id).toBe(b.encoded().id);
    expect(a.predict("answer -> more").encoded().id).not.toBe(a.encoded().id);
  });

  it("builders are immutable: a pipeline can be extended twice", () => {
    const base = pipeline("p").predict("question -> answer");
    base.predict("answer -> x");
    expect(base.definition().steps).toHaveLength(1);
  });

  it("aggregators and conditions serialise as data", () => {
    expect(concat("a", { into: "all", separator: "\n" }).spec).toEqual({ kind: "concat", field: "a", into: "all", separator: "\n" });
    expect(firstNonEmpty("a").spec).toEqual({ kind: "first", field: "a", into: "a" });
    expect(mergeObjects().spec).toEqual({ kind: "merge" });
    expect(bestBy("score", { field: "a", order: "min" }).spec).toEqual({ kind: "best", by: "score", field: "a", into: "a", order: "min" });
    expect(and(len(field("items")).gt(2), not(field("a.b.0").eq(null))).node).toEqual({
      op: "and",
      args: [
        { op: "gt", left: { op: "len", arg: { field: "items" } }, right: { value: 2 } },
        { op: "not", arg: { op: "eq", left: { field: "a.b.0" }, right: { value: null } } },
      ],
    });
  });
});

describe("build-time errors are InvalidArgument ConnectErrors", () => {
  it("catches type mismatches between steps", () => {
    const p = pipeline("p").predict("question -> n: int") as unknown as Pipeline;
    invalid(() => p.predict("n: str -> x"), /field n: the pipeline holds int there, the step takes str/);
    invalid(() => p.predict("x -> y", { inputs: { x: "n" } }).predict("n: list[str] -> z"), /holds int/);
    expect(() => p.predict("n: float -> x")).not.toThrow(); // int feeds float
    expect(() => p.predict("n: Optional[int] -> x")).not.toThrow();
  });

  it("rejects bad names, mappings, conditions and policies", () => {
    const p = pipeline("p").predict("question -> answer") as unknown as Pipeline;
    invalid(() => p.predict("question -> a", { name: "predict_0" }), /used twice/);
    invalid(() => p.predict("question -> a", { name: "a/b" }), /step name/);
    invalid(() => p.predict("question -> a", { inputs: { nope: "answer" } as never }), /not an input field/);
    invalid(() => p.predict("question -> a", { outputs: { nope: "x" } as never }), /not an output/);
    invalid(() => p.predict("no arrow"), /exactly one "->"/);
    invalid(() => p.branch(field("missing" as never).eq(1) as never, pipeline("t").predict("question -> x")), /does not hold/);
    invalid(() => field("answer.__class__"), /not a field reference/);
    invalid(() => field("_x"), /not a field reference/);
    invalid(() => field("answer").eq(Number.POSITIVE_INFINITY), /finite/);
    invalid(() => field("answer").eq(2 ** 60), /2\^53/);
    invalid(() => field("answer").eq({ __proto__: 1 } as never), /literals/);
    invalid(() => p.predict("question -> a", { onError: { retry: 0 } }), /onError/);
    invalid(() => p.parallel([], concat("answer")), /1..16 branches/);
    invalid(() => p.parallel([pipeline("b").predict("question -> x")], concat("y")), /no branch writes/);
    invalid(() => p.map("answer" as never, pipeline("m").predict("item -> x"), { select: "nope" as never }), /select/);
    invalid(() => concat("a.b"), /not a path/);
  });
});

describe("types", () => {
  it("infers inputs and the final state from the signatures", () => {
    const p = pipeline("qa").predict("question: str, k: int -> answer").chainOfThought("answer -> verdict: bool");
    expectTypeOf(p).toEqualTypeOf<Pipeline<{ question: string; k: number }, { answer: string; reasoning: string; verdict: boolean }>>();
    const renamed = pipeline("r")
      .predict("question -> answer", { outputs: { answer: "draft" } })
      .predict("text -> out", { inputs: { text: "draft" } });
    expectTypeOf(renamed).toEqualTypeOf<Pipeline<{ question: string }, { draft: string; out: string }>>();
  });

  it("turns a mismatch into a PipelineTypeError that cannot be extended or run", () => {
    // Built only at the type level: at run time the builder throws on the mismatch.
    const bad = () => pipeline("p").predict("question -> n: int").predict("n: str -> x");
    expectTypeOf<ReturnType<typeof bad>>().toEqualTypeOf<
      PipelineTypeError<'field "n": the pipeline holds a type there that the step does not take'>
    >();
    // @ts-expect-error a mismatch stops the chain
    void (() => bad().predict("x -> y"));
    const badSource = () =>
      pipeline("p")
        .predict("question -> n: int")
        .predict("text: str -> x", { inputs: { text: "n" } });
    // @ts-expect-error the mapped source has the wrong type too
    void (() => badSource().run);
  });

  it("conditions may only read fields the pipeline holds", () => {
    const p = pipeline("p").predict("question -> answer");
    const t = pipeline("t").predict("answer -> x");
    p.branch(field("answer").eq("yes"), t);
    // @ts-expect-error "nope" is not in the state
    void (() => p.branch(field("nope").eq("yes"), t));
  });

  it("types branch, parallel and map outputs", () => {
    const p = pipeline("p", { inputs: "items: list[str]" })
      .predict("question -> answer")
      .branch(field("answer").eq("y"), pipeline("a").predict("answer -> final, extra"), pipeline("b").predict("question -> final"))
      .parallel([pipeline("x").predict("final -> label"), pipeline("y").predict("question -> label")], concat("label", { into: "labels" }))
      .map("items", pipeline("each").predict("item -> n: int"), { into: "sizes", select: "n" });
    expectTypeOf(p).toEqualTypeOf<
      Pipeline<{ items: string[]; question: string }, { answer: string; final: string; labels: string[]; sizes: number[] }>
    >();
  });
});
