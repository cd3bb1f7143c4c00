import type { DspyClient } from "@dspy-connect/client";
import type { BatchSummary, OptimizationResult } from "@dspy-connect/streaming";
import { describe, expectTypeOf, it } from "vitest";
import { pipeline, stream } from "../src/index.js";

// Checked by `tsc --noEmit` (the package's typecheck); the bodies never run.
declare const client: DspyClient;

describe("stream(): result types per operation", () => {
  it("types a module's result from its signature", () => {
    const predict = () => stream(client, "predict", { signature: "question -> answer: int", inputs: { question: "q" } });
    expectTypeOf<Awaited<ReturnType<typeof predict>["result"]>>().toEqualTypeOf<{ answer: number }>();
    const cot = () => stream(client, "chain_of_thought", { signature: "q -> a: bool", inputs: { q: "x" } });
    expectTypeOf<Awaited<ReturnType<typeof cot>["result"]>>().toEqualTypeOf<{ reasoning: string } & { a: boolean }>();
    const react = () => stream(client, "react", { signature: "q -> a", inputs: { q: "x" }, tools: ["word_count"] });
    expectTypeOf<Awaited<ReturnType<typeof react>["result"]>>().toHaveProperty("trajectory");
    expectTypeOf<Awaited<ReturnType<typeof react>["result"]>["a"]>().toEqualTypeOf<string>();
    const registered = () => stream(client, "refine", { signature: "q -> a: float", inputs: { q: "x" } });
    expectTypeOf<Awaited<ReturnType<typeof registered>["result"]>["a"]>().toEqualTypeOf<number>();
  });

  it("types pipelines, batches, optimizers and commands", () => {
    const answer = pipeline("answer").predict("question -> answer: int");
    const run = () => stream(client, answer, { inputs: { question: "why" } });
    expectTypeOf<Awaited<ReturnType<typeof run>["result"]>>().toEqualTypeOf<{ question: string; answer: number }>();
    const named = () => stream(client, "pipeline", { pipeline: answer, inputs: { question: "why" } });
    expectTypeOf<Awaited<ReturnType<typeof named>["result"]>>().toEqualTypeOf<{ question: string; answer: number }>();
    const batch = () => stream(client, "batch", { module: { type: "predict", signature: "q -> a" }, items: [] });
    expectTypeOf<Awaited<ReturnType<typeof batch>["result"]>>().toEqualTypeOf<BatchSummary>();
    const optimize = () =>
      stream(client, "optimize", {
        program: { type: "predict", signature: "q -> a" },
        trainset: [],
        metric: "exact_match",
        optimizer: { name: "miprov2" },
      });
    expectTypeOf<Awaited<ReturnType<typeof optimize>["result"]>>().toEqualTypeOf<OptimizationResult>();
    const command = () => stream(client, "count", { args: { to: 2 } });
    expectTypeOf<Awaited<ReturnType<typeof command>["result"]>>().toEqualTypeOf<unknown>();
    const typedCommand = () => stream<{ n: number }>(client, "count", { args: { to: 2 } });
    expectTypeOf<Awaited<ReturnType<typeof typedCommand>["result"]>>().toEqualTypeOf<{ n: number }>();
  });

  it("rejects missing or wrong arguments at compile time", () => {
    // Never called: only the compiler reads it.
    const compileOnly = () => {
      const answer = pipeline("answer").predict("question -> answer");
      // @ts-expect-error: a module needs its signature
      stream(client, "predict", { inputs: { question: "q" } });
      // @ts-expect-error: and its inputs
      stream(client, "predict", { signature: "question -> answer" });
      // @ts-expect-error: inputs must match the signature
      stream(client, "predict", { signature: "question -> answer", inputs: { query: "q" } });
      // @ts-expect-error: a module type is not a command
      stream(client, "predict");
      // @ts-expect-error: a batch needs items
      stream(client, "batch", { module: { type: "predict", signature: "q -> a" } });
      // @ts-expect-error: an optimizer needs its metric
      stream(client, "optimize", { program: { type: "predict", signature: "q -> a" }, trainset: [], optimizer: { name: "miprov2" } });
      // @ts-expect-error: a pipeline needs its inputs
      stream(client, answer, {});
      // @ts-expect-error: "pipeline" needs the pipeline
      stream(client, "pipeline", { inputs: { question: "q" } });
      // @ts-expect-error: a type the worker does not know ("integer") is an error, not unknown
      stream(client, "predict", { signature: "question -> answer: integer", inputs: { question: "q" } });
      // @ts-expect-error: in a pipeline's step too
      pipeline("typo").predict("question -> answer: integer").run(client, { question: "q" });
    };
    expectTypeOf(compileOnly).toBeFunction();
  });
});
