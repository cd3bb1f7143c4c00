import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Code, type DspyClient } from "@dspy-connect/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeStream, streamBatchPredict, streamOptimization, streamPredict } from "../src/index.js";
import { collect, startClient } from "./helpers.js";

let client: DspyClient;
beforeAll(async () => {
  client = await startClient({ workers: 2 });
});
afterAll(() => client?.close());

const runsPerWorker = async () => Object.fromEntries((await client.describe()).map((d) => [d.workerId, Number(d.runsTotal)]));

describe("streamBatchPredict", () => {
  const items = ["a", "bb", "ccc", "dddd", "eeeee", "ffffff", "g", "hh"].map((question) => ({ question }));

  it("reports every item with its index, input and output, and progress, across workers", async () => {
    const before = await runsPerWorker();
    const bad = [...items.slice(0, 3), { wrong: "field" } as never, ...items.slice(3)];
    const run = streamBatchPredict(client, "question -> length: int", bad, { concurrency: 4 });
    const events = await collect(run);
    const after = await runsPerWorker();

    const done = events.filter((e) => e.type === "item_complete");
    const failed = events.filter((e) => e.type === "item_error");
    expect(done).toHaveLength(items.length);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ index: 3, input: { wrong: "field" }, error: { code: Code.InvalidArgument } });
    for (const e of done) {
      if (e.type !== "item_complete") continue;
      const input = bad[e.index] as { question: string };
      expect(e.input).toEqual(input);
      expect(e.output).toEqual({ length: input.question.length });
    }
    const progress = events.filter((e) => e.type === "progress");
    expect(progress.at(-1)).toMatchObject({ completed: 9, total: 9, failed: 1 });
    expect(events.at(-1)).toMatchObject({ type: "done", result: { total: 9, completed: 9, failed: 1 } });
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    // Both workers ran a share.
    for (const id of Object.keys(after)) expect(after[id]).toBeGreaterThan(before[id] ?? 0);
  });

  it("keeps input order when asked, even when later items finish first", async () => {
    // slow-N waits N ms per item in total; the first items are made to take longest via concurrency.
    const run = streamBatchPredict(client, "question -> length: int", items, {
      concurrency: 4,
      ordered: true,
      lm: { model: "scripted/slow-30", cache: false },
    });
    const indices = (await collect(run)).filter((e) => e.type === "item_complete").map((e) => (e as { index: number }).index);
    expect(indices).toEqual(items.map((_, i) => i));
  });

  it("fails the whole batch for a bad signature, with one error event", async () => {
    const events = await collect(streamBatchPredict(client, "question -> -> x", items as never));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: "error", code: Code.InvalidArgument });
  });
});

describe("streamOptimization", () => {
  const trainset = [
    { question: "a", answer: "answer: a" },
    { question: "bb", answer: "answer: bb" },
    { question: "ccc", answer: "wrong on purpose" },
    { question: "dddd", answer: "answer: dddd" },
  ];

  it("compiles with BootstrapFewShot, streams trials, and returns state later calls can load", async () => {
    const run = streamOptimization(client, { type: "predict", signature: "question -> answer" }, trainset, "exact_match", {
      name: "bootstrap_few_shot",
      config: { max_bootstrapped_demos: 2, max_labeled_demos: 0 },
    });
    const events = await collect(run);
    const trials = events.filter((e) => e.type === "trial");
    expect(trials.filter((t) => t.type === "trial" && t.kind === "bootstrap").length).toBeGreaterThanOrEqual(2);
    expect(trials.some((t) => t.type === "trial" && t.score === 1)).toBe(true);
    const result = await run.result;
    expect(result.optimizer).toBe("bootstrap_few_shot");
    const demos = (result.state as { demos?: unknown[] }).demos ?? [];
    expect(demos.length).toBe(2);

    // Save, load, and use it.
    const file = join(mkdtempSync(join(tmpdir(), "dc-opt-")), "program.json");
    writeFileSync(file, JSON.stringify(result.state));
    const state = JSON.parse(readFileSync(file, "utf8"));
    expect(await client.predict("question -> answer", { question: "zz" }, { state })).toEqual({ answer: "answer: zz" });
    const streamed = await streamPredict(client, "question -> answer", { question: "yy" }, { state }).result;
    expect(streamed.answer).toBe("answer: yy");
  });

  it("runs MIPROv2 (auto light) and reports trial scores", async () => {
    const run = streamOptimization(
      client,
      { type: "predict", signature: "question -> answer" },
      [...trainset, ...trainset.map((t) => ({ ...t, question: `${t.question}!`, answer: `answer: ${t.question}!` }))],
      "f1",
      { name: "miprov2", config: { auto: "light", num_threads: 2, max_bootstrapped_demos: 1, max_labeled_demos: 1 } },
    );
    const events = await collect(run);
    const last = events.at(-1)!;
    if (last.type === "error") throw new Error(`miprov2 failed: ${last.message}`);
    const trials = events.filter((e) => e.type === "trial" && e.kind === "trial");
    expect(trials.length).toBeGreaterThan(0);
    expect(trials.every((t) => t.type === "trial" && typeof t.score === "number")).toBe(true);
    const result = await run.result;
    expect(typeof result.score).toBe("number");
    expect(result.state).toBeTypeOf("object");
  }, 300_000);

  it("rejects unknown metrics, optimizers and settings without running anything", async () => {
    const program = { type: "predict", signature: "question -> answer" };
    for (const [metric, optimizer] of [
      ["no_such_metric", { name: "bootstrap_few_shot" }],
      ["exact_match", { name: "pickle_loader" }],
      ["exact_match", { name: "bootstrap_few_shot", config: { teacher: "x" } }],
    ] as const) {
      const run = streamOptimization(client, program, trainset, metric, optimizer as never);
      await expect(run.result).rejects.toMatchObject({ code: Code.InvalidArgument });
    }
  });
});

describe("executeStream", () => {
  it("streams a registered command's custom events and returns its result", async () => {
    const run = executeStream<{ counted: number }>(client, "count", { to: 3 });
    const events = await collect(run);
    expect(events.filter((e) => e.type === "custom").map((e) => e.type === "custom" && e.data)).toEqual([{ i: 1 }, { i: 2 }, { i: 3 }]);
    expect(events.filter((e) => e.type === "custom").every((e) => e.type === "custom" && e.name === "tick")).toBe(true);
    expect(await run.result).toEqual({ counted: 3 });
  });

  it("supports generator commands", async () => {
    const events = await collect(executeStream(client, "echo_args", { a: [1, 2] }));
    expect(events[0]).toMatchObject({ type: "custom", name: "args", data: { a: [1, 2] } });
    expect(events.at(-1)).toMatchObject({ type: "done", result: { a: [1, 2] } });
  });

  it("ends an unknown command with a NotFound error event, at once", async () => {
    const events = await collect(executeStream(client, "no_such_command"));
    expect(events).toEqual([expect.objectContaining({ type: "error", code: Code.NotFound })]);
  });

  it("ends a failing command with an Internal error event naming the cause", async () => {
    const events = await collect(executeStream(client, "explode"));
    expect(events.at(-1)).toMatchObject({
      type: "error",
      code: Code.Internal,
      message: expect.stringContaining("explode was asked to fail"),
    });
  });
});
