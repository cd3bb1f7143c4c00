// The shared example definitions (packages/core-proto/testdata/pipelines), the same files
// python/tests/test_pipeline_examples.py reads. Here: each parses as the contract's message
// in canonical form; each valid one is exactly what the builder below emits, and runs on a
// real worker; each invalid one is refused by the worker with InvalidArgument and its
// expected message. UPDATE_PIPELINE_EXAMPLES=1 rewrites the valid files from the builders.

import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { fromJson, type JsonObject, toJson } from "@bufbuild/protobuf";
import { Code, type DspyClient, encodeJson } from "@dspy-connect/client";
import { PipelineDefinitionSchema } from "@dspy-connect/core-proto";
import { startStream } from "@dspy-connect/streaming/internal";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AnyPipeline,
  bestBy,
  concat,
  field,
  firstNonEmpty,
  len,
  majorityVote,
  mergeObjects,
  not,
  or,
  pipeline,
  value,
} from "../src/index.js";
import { collect, startClient } from "./helpers.js";

const ROOT = new URL("../../core-proto/testdata/pipelines/", import.meta.url);

interface Example {
  readonly about: string;
  readonly definition: JsonObject;
  readonly inputs?: JsonObject;
  readonly error?: string;
}

function examples(set: "valid" | "invalid"): [string, Example][] {
  const folder = new URL(`${set}/`, ROOT);
  return readdirSync(folder)
    .filter((file) => file.endsWith(".json"))
    .sort()
    .map((file) => [file.replace(/\.json$/, ""), JSON.parse(readFileSync(new URL(file, folder), "utf8")) as Example]);
}

const MAX_INTEGER = 2 ** 53 - 1;

/** Every bound of the contract, exactly at its limit. */
function atTheBounds(): AnyPipeline {
  let nested: AnyPipeline = pipeline("l8").predict("question -> deep");
  for (let level = 7; level >= 1; level--) nested = pipeline(`l${level}`).pipeline(nested);
  let deep = field(`doc.${Array.from({ length: 14 }, (_, i) => `p${i}`).join(".")}.999999`).exists(); // 16 parts
  for (let i = 0; i < 14; i++) deep = not(deep); // 14 negations, exists, its operand: 16 levels
  const many = or(...Array.from({ length: 85 }, (_, i) => field("question").eq(`q${i}`))); // 1 + 85 * 3 = 256 nodes
  return pipeline("n".repeat(64), { inputs: "question: str, doc: dict, items: list[str]" })
    .predict("question -> answer", { name: "s".repeat(64), onError: { retry: 10 } })
    .parallel(
      Array.from({ length: 16 }, (_, i) => pipeline(`b${i}`).predict("question -> line")),
      concat("line", { into: "lines", separator: "-".repeat(100) }),
      { name: "wide" },
    )
    .map("items", pipeline("each").predict("item -> x"), { name: "each", concurrency: 16 })
    .branch(deep, pipeline("never").predict("question -> unseen"), undefined, { name: "deep" })
    .branch(many, pipeline("t").predict("question -> y"), undefined, { name: "many" })
    .branch(field("question").ne(MAX_INTEGER).and(field("question").ne(-MAX_INTEGER)), pipeline("t").predict("question -> z"), undefined, {
      name: "literals",
    })
    .pipeline(nested, { name: "nested" }) as AnyPipeline;
}

/** The valid examples the builder writes, with the inputs they run on. */
const BUILT: Record<string, { readonly build: () => AnyPipeline; readonly inputs: JsonObject; readonly about: string }> = {
  sequential: {
    about: "steps in order; inputs and outputs renamed; instructions; a retry policy",
    inputs: { question: "one two", topic: "sky" },
    build: () =>
      pipeline("qa")
        .predict("question -> answer", { name: "draft" })
        .chainOfThought("text, question -> verdict: bool", {
          inputs: { text: "answer" },
          outputs: { verdict: "ok" },
          instructions: "Check the draft.",
        })
        .predict("answer, ok: bool, topic -> final", { onError: { retry: 2 } }) as AnyPipeline,
  },
  "every-kind": {
    about: "react with a Python tool, branch, parallel, map and sub-pipeline, nested; a registered module; continue on error",
    inputs: { question: "one two" },
    build: () =>
      pipeline("flow", { inputs: "question: str" })
        .react("question -> answer", { name: "agent", tools: ["word_count"], maxIters: 3 })
        .branch(
          field("answer")
            .contains("one")
            .and(len(field("question")).gt(3)),
          pipeline("yes").pipeline(pipeline("nested").predict("question -> loud", { name: "say" })),
          pipeline("no").predict("question -> loud", { name: "never" }),
          { name: "route" },
        )
        .parallel(
          [pipeline("a").predict("question -> label", { name: "answer" }), pipeline("b").predict("loud -> label", { name: "answer" })],
          concat("label", { into: "labels" }),
          { name: "fanout" },
        )
        .map("labels", pipeline("each").predict("item -> n: int", { name: "size" }), {
          name: "each",
          into: "sizes",
          select: "n",
          concurrency: 2,
        })
        .module(
          { type: "flaky", signature: "question -> other" },
          { name: "shaky", config: { fail_times: 0 }, onError: "continue" },
        ) as AnyPipeline,
  },
  aggregators: {
    about: "every aggregator: majority, first non-empty, best by (min), concat with a separator, merge of all outputs",
    inputs: { question: "q" },
    build: () =>
      pipeline("agg")
        .parallel(
          [1, 2, 3].map((i) => pipeline(`v${i}`).predict("question -> answer")),
          majorityVote("answer", { into: "voted" }),
        )
        .parallel([pipeline("f").predict("question -> answer")], firstNonEmpty("answer", { into: "first" }))
        .parallel(
          [pipeline("s1").predict("question -> answer, score: float"), pipeline("s2").predict("voted -> answer, score: float")],
          bestBy("score", { field: "answer", into: "best", order: "min" }),
        )
        .parallel(
          [pipeline("j1").predict("question -> line"), pipeline("j2").predict("question -> line")],
          concat("line", { into: "text", separator: "\n" }),
        )
        .parallel([pipeline("m1").predict("question -> x"), pipeline("m2").predict("question -> y")], mergeObjects()) as AnyPipeline,
  },
  conditions: {
    about: "every condition form and literal kind: or, not, exists, contains, comparisons, length, null, lists, a literal on the left",
    inputs: { question: "q", tags: ["x", "y"], n: 2 },
    build: () =>
      pipeline("cond", { inputs: "question: str, tags: list[str], n: int" }).branch(
        or(
          not(field("question").exists()),
          field("tags").contains("x"),
          field("n").gte(-2.5),
          field("question").eq(null),
          field("tags").eq(["a", 1, true, null]),
          len(field("tags.0")).lt(3),
          value(3).ne(field("n")),
        ),
        pipeline("t").predict("question -> out"),
        pipeline("e").predict("question -> out"),
        { name: "check" },
      ) as AnyPipeline,
  },
  "at-the-bounds": {
    about:
      "every bound of pipeline_limits exactly at its limit: names of 64, 10 retries, 16 branches, concurrency 16, 8 nested pipelines, a condition 16 deep and one of 256 nodes, a 16-part reference, ±(2^53 - 1), a separator of 100",
    inputs: { question: "q", doc: {}, items: ["a", "b"] },
    build: atTheBounds,
  },
};

const VALID = examples("valid");
const INVALID = examples("invalid");

describe("the shared example definitions", () => {
  if (process.env.UPDATE_PIPELINE_EXAMPLES) {
    for (const [name, { build, inputs, about }] of Object.entries(BUILT)) {
      const definition = toJson(PipelineDefinitionSchema, build().definition());
      writeFileSync(new URL(`valid/${name}.json`, ROOT), `${JSON.stringify({ about, inputs, definition }, null, 2)}\n`);
    }
  }

  it("are all there", () => {
    expect(VALID.length).toBeGreaterThanOrEqual(Object.keys(BUILT).length);
    expect(INVALID.length).toBeGreaterThanOrEqual(40);
  });

  it.each([...VALID, ...INVALID])("%s parses as the contract's message, in canonical form", (_, example) => {
    const definition = fromJson(PipelineDefinitionSchema, example.definition);
    expect(toJson(PipelineDefinitionSchema, definition)).toEqual(example.definition);
  });

  it.each(Object.entries(BUILT))("valid/%s is what the builder emits", (name, built) => {
    const example = VALID.find(([file]) => file === name)?.[1];
    expect(example?.definition).toEqual(toJson(PipelineDefinitionSchema, built.build().definition()));
    expect(example?.inputs).toEqual(built.inputs);
  });
});

describe("the shared examples on a real worker", () => {
  let client: DspyClient;
  beforeAll(async () => {
    client = await startClient({ workers: 1 });
  });
  afterAll(() => client?.close());

  const send = (example: Example) =>
    startStream(
      client,
      () => ({
        operation: {
          case: "pipeline",
          value: {
            definition: fromJson(PipelineDefinitionSchema, example.definition),
            inputsJson: encodeJson(example.inputs ?? {}, "inputs"),
          },
        },
      }),
      {},
      (result) => result,
    );

  it.each(VALID)("valid/%s runs to done", async (_, example) => {
    const events = await collect(send(example));
    expect(events.at(-1)).toMatchObject({ type: "done" });
  });

  it.each(INVALID)("invalid/%s is InvalidArgument with its message", async (_, example) => {
    const last = (await collect(send(example))).at(-1);
    expect(last).toMatchObject({ type: "error", code: Code.InvalidArgument });
    expect(last?.type === "error" && last.message).toContain(example.error);
  });
});
