import { toBinary, toJson } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@dspy-connect/client";
import { AggregatorSchema, ConditionSchema, PipelineDefinitionSchema } from "@dspy-connect/core-proto";
import { describe, expect, expectTypeOf, it } from "vitest";
import { type AggregatorSpec, bestBy, concat, firstNonEmpty, majorityVote, mergeObjects } from "../aggregators/aggregators.js";
import { and, field, len, not, or } from "../conditions/conditions.js";
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

/** A definition in protobuf JSON form: what the worker reads, readable in a test. */
function json(p: Pipeline): unknown {
  return toJson(PipelineDefinitionSchema, p.definition());
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64");

describe("the wire definition", () => {
  it("lists steps in order, infers the inputs and maps names", () => {
    const p = pipeline("qa")
      .predict("question -> answer", { name: "draft" })
      .chainOfThought("text, question -> verdict: bool", { inputs: { text: "answer" }, outputs: { verdict: "ok" } })
      .predict("answer, ok: bool, topic -> final", { onError: { retry: 2 } });
    expect(json(p as never)).toEqual({
      name: "qa",
      inputs: { question: "str", topic: "str" },
      steps: [
        { name: "draft", predict: { module: { signature: "question -> answer" } } },
        {
          name: "chain_of_thought_1",
          chainOfThought: {
            module: { signature: "text, question -> verdict: bool" },
            inputs: { text: "answer" },
            outputs: { verdict: "ok" },
          },
        },
        {
          name: "predict_2",
          onError: { mode: "MODE_RETRY", retries: 2 },
          predict: { module: { signature: "answer, ok: bool, topic -> final" } },
        },
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
    expect(steps.map((s) => [s.kind.case, s.name])).toEqual([
      ["predict", "predict_0"],
      ["branch", "route"],
      ["parallel", "vote"],
      ["map", "map_3"],
      ["pipeline", "tail"],
    ]);
    const [, route, vote, each] = (json(p as never) as { steps: unknown[] }).steps;
    expect(route).toMatchObject({
      branch: {
        condition: { compare: { op: "OP_CONTAINS", left: { field: "answer" }, right: { literal: "yes" } } },
        ifTrue: { name: "yes", inputs: { answer: "str" } },
        ifFalse: { name: "no" },
      },
    });
    expect(vote).toMatchObject({
      onError: { mode: "MODE_CONTINUE" },
      parallel: { aggregate: { majority: { field: "label", into: "label" } } },
    });
    expect(each).toMatchObject({
      map: { over: "items", item: "item", into: "summaries", select: "summary", concurrency: 2, pipeline: { inputs: { item: "str" } } },
    });
  });

  it("carries module options as the contract's ModuleSpec, config and state as JSON", () => {
    const p = pipeline("m").react("question -> answer", {
      tools: ["word_count"],
      maxIters: 3,
      instructions: "Be brief.",
      state: { demos: [] },
    });
    expect(json(p as never)).toMatchObject({
      steps: [
        {
          react: {
            module: {
              signature: "question -> answer",
              instructions: "Be brief.",
              tools: ["word_count"],
              configJson: b64({ max_iters: 3 }),
            },
          },
        },
      ],
    });
    expect(p.definition().steps[0]!.kind.value).toMatchObject({ module: { stateJson: new TextEncoder().encode('{"demos":[]}') } });
  });

  it("the same pipeline has the same id; a different one another", () => {
    const a = pipeline("p").predict("question -> answer");
    const b = pipeline("p").predict("question -> answer");
    expect(a.encoded().id).toBe(b.encoded().id);
    expect(a.predict("answer -> more").encoded().id).not.toBe(a.encoded().id);
  });

  it("the id does not depend on the order mappings were written in", () => {
    const one = pipeline("p").predict("a, b -> x, y", { inputs: { a: "q", b: "r" }, outputs: { x: "u", y: "v" } });
    const two = pipeline("p").predict("a, b -> x, y", { inputs: { b: "r", a: "q" }, outputs: { y: "v", x: "u" } });
    expect(one.encoded().id).toBe(two.encoded().id);
    expect(toBinary(PipelineDefinitionSchema, one.definition())).toEqual(toBinary(PipelineDefinitionSchema, two.definition()));
  });

  it("builders are immutable: a pipeline can be extended twice", () => {
    const base = pipeline("p").predict("question -> answer");
    base.predict("answer -> x");
    expect(base.definition().steps).toHaveLength(1);
  });

  it("aggregators and conditions are the contract's messages", () => {
    const agg = (a: { spec: AggregatorSpec }) => toJson(AggregatorSchema, a.spec);
    expect(agg(concat("a", { into: "all", separator: "\n" }))).toEqual({ concat: { field: "a", into: "all", separator: "\n" } });
    expect(agg(firstNonEmpty("a"))).toEqual({ first: { field: "a", into: "a" } });
    expect(agg(mergeObjects())).toEqual({ merge: {} });
    expect(agg(bestBy("score", { field: "a", order: "min" }))).toEqual({
      best: { by: "score", field: "a", into: "a", order: "ORDER_MIN" },
    });
    const condition = and(len(field("items")).gt(2), not(field("a.b.0").eq(null)), field("tags").contains(["x", 1.5, true]));
    expect(toJson(ConditionSchema, condition.node)).toEqual({
      allOf: {
        conditions: [
          { compare: { op: "OP_GT", left: { length: { field: "items" } }, right: { literal: 2 } } },
          { negate: { compare: { op: "OP_EQ", left: { field: "a.b.0" }, right: { literal: null } } } },
          { compare: { op: "OP_CONTAINS", left: { field: "tags" }, right: { literal: ["x", 1.5, true] } } },
        ],
      },
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
    invalid(() => field("answer").eq(2 ** 53), /within ±9007199254740991/);
    expect(() => field("answer").eq(2 ** 53 - 1)).not.toThrow();
    invalid(() => field("answer").eq({ __proto__: 1 } as never), /literals/);
    invalid(() => p.predict("question -> a", { onError: { retry: 0 } }), /onError/);
    invalid(() => p.parallel([], concat("answer")), /1..16 branches/);
    invalid(() => p.parallel([pipeline("b").predict("question -> x")], concat("y")), /no branch writes/);
    invalid(() => p.map("answer" as never, pipeline("m").predict("item -> x"), { select: "nope" as never }), /select/);
    invalid(() => concat("a.b"), /not a path/);
    invalid(() => concat("a", { separator: "-".repeat(101) }), /separator is longer than 100/);
    invalid(
      () => p.map("answer" as never, pipeline("m").predict("item -> x"), { concurrency: 17 }),
      /concurrency must be an integer 1..16/,
    );
    invalid(() => p.predict("question -> a", { onError: { retry: 11 } }), /retry: 1..10/);
    invalid(() => p.parallel(Array(17).fill(pipeline("b").predict("question -> x")), concat("x")), /1..16 branches/);
    invalid(() => p.predict("question -> a", { name: "n".repeat(65) }), /must be 1..64 letters/);
    let deep = field("answer").exists();
    for (let i = 0; i < 14; i++) deep = not(deep); // 14 negations, exists, its operand: 16 levels
    expect(() => p.branch(deep as never, pipeline("t").predict("question -> x"))).not.toThrow(); // at the bound
    invalid(() => p.branch(not(deep) as never, pipeline("t").predict("question -> x")), /nested deeper than 16 levels/);
    const wide = or(...Array.from({ length: 86 }, (_, i) => field("answer").eq(i)));
    invalid(() => p.branch(wide as never, pipeline("t").predict("question -> x")), /more than 256 nodes/);
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
