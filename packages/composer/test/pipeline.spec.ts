import { toJson } from "@bufbuild/protobuf";
import { Code, type DspyClient } from "@dspy-connect/client";
import { ConditionSchema } from "@dspy-connect/core-proto";
import { defineTool } from "@dspy-connect/tools";
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { bestBy, concat, field, firstNonEmpty, len, majorityVote, pipeline } from "../src/index.js";
import { collect, ofType, rssMiB, startClient, waitFor } from "./helpers.js";

let client: DspyClient;
beforeAll(async () => {
  client = await startClient({ workers: 1 });
});
afterAll(() => client?.close());

const uncached = (model: string) => ({ model, cache: false });
const describeWorker = async () => (await client.describe())[0]!;

describe("pipelines on a real worker", () => {
  it("runs sequential steps in one call, each streamed with its path, outputs feeding inputs", async () => {
    const qa = pipeline("qa")
      .predict("question -> answer", { name: "draft" })
      .chainOfThought("text -> answer", { name: "refine", inputs: { text: "answer" }, outputs: { answer: "final" } });
    const run = qa.run(client, { question: "one two" });
    const events = await collect(run);
    const result = await run.result;
    expectTypeOf(result).toEqualTypeOf<{ question: string; answer: string; reasoning: string; final: string }>();
    expect(result).toEqual({
      question: "one two",
      answer: "answer: one two",
      reasoning: "Step by step: answer: one two",
      final: "answer: answer: one two",
    });
    expect(
      events.filter((e) => e.type.startsWith("step_") || e.type === "pipeline_complete").map((e) => [e.type, "path" in e ? e.path : ""]),
    ).toEqual([
      ["step_start", "draft"],
      ["step_complete", "draft"],
      ["step_start", "refine"],
      ["step_complete", "refine"],
      ["pipeline_complete", ""],
    ]);
    const text = (path: string, f: string) =>
      ofType(events, "token")
        .filter((t) => t.path === path && t.field === f)
        .map((t) => t.delta)
        .join("");
    expect(text("draft", "answer")).toBe("answer: one two");
    expect(text("refine", "reasoning")).toBe("Step by step: answer: one two");
    expect(ofType(events, "pipeline_complete")[0]!.output).toEqual(result);
    expect(ofType(events, "step_complete")[1]).toMatchObject({
      stepType: "chain_of_thought",
      output: { final: "answer: answer: one two" },
    });
    expect(events.at(-1)!.type).toBe("done");
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  });

  it("runs every step kind, nested: react with Python and TypeScript tools, branch, parallel, map, sub-pipeline", async () => {
    const calls: string[] = [];
    const shout = defineTool({
      name: "shout",
      description: "Upper-cases the input.",
      input: z.object({ input: z.string() }),
      execute: ({ input }) => {
        calls.push(input);
        return input.toUpperCase();
      },
    });
    const onesAndLong = field("answer")
      .contains("one")
      .and(len(field("question")).gt(3));
    const flow = pipeline("flow", { inputs: "question: str" })
      .react("question -> answer", { name: "agent", tools: ["word_count", shout], maxIters: 4 })
      .branch(
        onesAndLong,
        pipeline("yes").pipeline(pipeline("nested").predict("question -> loud", { name: "say" })),
        pipeline("no").predict("question -> loud", { name: "never" }),
        { name: "route" },
      )
      .parallel(
        [pipeline("a").predict("question -> label", { name: "answer" }), pipeline("b").predict("loud -> label", { name: "answer" })],
        concat("label", { into: "labels" }),
        {
          name: "fanout",
        },
      )
      .map("labels", pipeline("each").predict("item -> n: int", { name: "size" }), { name: "each", into: "sizes", select: "n" });
    const run = flow.run(client, { question: "one two" });
    const events = await collect(run);
    const result = await run.result;
    expect(result.loud).toBe("loud: one two");
    expect(result.labels).toEqual(["label: one two", "label: loud: one two"]);
    expect(result.sizes).toEqual([14, 20]);
    expect(calls.length).toBeGreaterThan(0); // the TypeScript tool ran, called from the Python agent
    const steps = events.flatMap((e) => (e.type === "step_start" || e.type === "step_complete" ? [`${e.type}:${e.path}`] : []));
    expect(steps).toContain("step_complete:route/then/nested/say");
    expect(steps).toContain("step_complete:fanout/1/answer");
    expect(steps).toContain("step_complete:each/1/size");
    expect(steps.some((s) => s.includes("route/else"))).toBe(false);
    // The condition as sent, in protobuf JSON form.
    const condition = toJson(ConditionSchema, onesAndLong.node);
    expect(ofType(events, "branch_taken")).toEqual([expect.objectContaining({ path: "route", value: true, taken: "then", condition })]);
    expect(ofType(events, "parallel_start")).toMatchObject([{ path: "fanout", branches: 2 }]);
    expect(ofType(events, "parallel_complete")[0]!.output).toEqual({ labels: result.labels });
    expect(ofType(events, "tool_start").map((e) => [e.path, e.tool])).toEqual([
      ["agent", "word_count"],
      ["agent", "shout"],
      ["agent", "finish"],
    ]);
    expect(new Set(ofType(events, "token").map((t) => t.path))).toEqual(
      new Set([
        "agent/react",
        "agent/extract.predict",
        "route/then/nested/say",
        "fanout/0/answer",
        "fanout/1/answer",
        "each/0/size",
        "each/1/size",
      ]),
    );
  });

  it("a react step may name a TypeScript tool registered in the session", async () => {
    const session = await client.session();
    try {
      const calls: string[] = [];
      session.tools.register(
        defineTool({
          name: "echo_back",
          description: "Echoes the input.",
          input: z.object({ input: z.string() }),
          execute: ({ input }) => {
            calls.push(input);
            return input;
          },
        }),
      );
      const p = pipeline("sess").react("question -> answer", { tools: ["echo_back"], maxIters: 3 });
      const events = await collect(p.run(session, { question: "hi" }));
      expect(events.at(-1)?.type).toBe("done");
      expect(ofType(events, "tool_start").map((e) => e.tool)).toContain("echo_back");
      expect(calls.length).toBeGreaterThan(0);
    } finally {
      await session.close();
    }
  });

  it("aggregates parallel branches: majority vote, first non-empty, best by a field", async () => {
    const p = pipeline("agg")
      .parallel(
        [1, 2, 3].map((i) => pipeline(`v${i}`).predict("question -> answer")),
        majorityVote("answer", { into: "voted" }),
      )
      .parallel([pipeline("f").predict("question -> answer")], firstNonEmpty("answer", { into: "first" }))
      .parallel(
        [pipeline("s1").predict("question -> answer, score: float"), pipeline("s2").predict("voted -> answer, score: float")],
        bestBy("score", { field: "answer", into: "best" }),
      );
    const result = await p.run(client, { question: "q" }).result;
    expect(result).toMatchObject({ voted: "answer: q", first: "answer: q", best: "answer: q" });
  });

  it("fail-fast (the default) ends the run with the step's path; continue and retry go on", async () => {
    const flaky = { type: "flaky", signature: "question -> other" } as const;
    const failing = pipeline("f")
      .predict("question -> answer")
      .module(flaky, { name: "boom", config: { fail_times: 9 } })
      .predict("other -> never");
    const events = await collect(failing.run(client, { question: "x" }));
    const last = events.at(-1)!;
    expect(last).toMatchObject({ type: "error", code: Code.Internal, path: "boom" });
    expect(last.type === "error" && last.message).toMatch(/step 'boom': RuntimeError: flaky failure 1 of 9/);
    expect(ofType(events, "step_error")).toMatchObject([{ path: "boom", stepType: "module", error: { code: Code.Internal } }]);
    expect(ofType(events, "step_start").map((e) => e.path)).not.toContain("predict_2");

    const tolerant = pipeline("c")
      .module(flaky, { name: "boom", config: { fail_times: 9 }, onError: "continue" })
      .branch(field("other").exists(), pipeline("t").predict("other -> answer"), pipeline("e").predict("question -> answer"));
    expect(await tolerant.run(client, { question: "x" }).result).toEqual({ question: "x", other: null, answer: "answer: x" });

    const retried = pipeline("r").module(
      { type: "flaky", signature: "question -> answer" },
      { name: "shaky", config: { fail_times: 2 }, onError: { retry: 2 } },
    );
    const retryEvents = await collect(retried.run(client, { question: "x" }));
    expect(retryEvents.filter((e) => e.type.startsWith("step_")).map((e) => e.type)).toEqual([
      "step_start",
      "step_error",
      "step_start",
      "step_error",
      "step_start",
      "step_complete",
    ]);
    expect(ofType(retryEvents, "step_error")[0]!.error.message).toMatch(/^attempt 1 of 3 failed, retrying/);
    expect(retryEvents.at(-1)).toMatchObject({ type: "done", result: { answer: "answer: x" } });
  });

  it("an AbortSignal cancels every branch and frees the worker's threads", async () => {
    const slow = pipeline("slow").parallel(
      [0, 1, 2].map((i) => pipeline(`b${i}`).predict("question -> answer")),
      concat("answer"),
    );
    const controller = new AbortController();
    const events = [];
    let tokens = 0;
    for await (const event of slow.run(
      client,
      { question: Array(60).fill("w").join(" ") },
      { signal: controller.signal, lm: uncached("scripted/tokens-100") },
    )) {
      events.push(event);
      if (event.type === "token" && ++tokens === 3) controller.abort();
    }
    expect(events.at(-1)).toMatchObject({ type: "error", code: Code.Canceled });
    await waitFor(async () => (await describeWorker()).busyThreads === 0, 10_000);
    expect(await pipeline("after").predict("question -> answer").run(client, { question: "ok" }).result).toMatchObject({
      answer: "answer: ok",
    });
  });

  it("a branch failing fast interrupts a TypeScript tool call in flight in its sibling", async () => {
    let toolStarted = false;
    const stuck = defineTool({
      name: "stuck",
      description: "Answers only when cancelled.",
      input: z.object({ input: z.string() }),
      timeoutMs: 120_000, // far past the test's own timeout: only the sibling's failure can end it
      execute: (_, { signal }) => {
        toolStarted = true;
        return new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason)));
      },
    });
    const flaky = { type: "flaky", signature: "question -> other" } as const;
    const racing = pipeline("race").parallel(
      [
        // A few steps first, so the agent's tool call is usually in flight when this fails.
        pipeline("a")
          .predict("question -> x")
          .predict("x -> y")
          .predict("y -> z")
          .module(flaky, { name: "boom", config: { fail_times: 9 } }),
        pipeline("b").react("question -> answer", { tools: [stuck] }),
      ],
      concat("answer"),
    );
    const events = await collect(racing.run(client, { question: "q" }));
    expect(events.at(-1)).toMatchObject({ type: "error", code: Code.Internal, path: "parallel_0/0/boom" });
    expect(toolStarted).toBe(true); // the agent had called the tool before its sibling failed
    await waitFor(async () => (await describeWorker()).busyThreads === 0, 10_000);
  });

  it("bad inputs are typed errors from the worker; the worker stays up", async () => {
    const p = pipeline("p").predict("question -> answer");
    const wrongType = await collect(p.run(client, { question: 3 as unknown as string }));
    expect(wrongType.at(-1)).toMatchObject({ type: "error", code: Code.InvalidArgument });
    const missing = await collect(p.run(client, {} as { question: string }));
    expect(missing.at(-1)).toMatchObject({ type: "error", code: Code.InvalidArgument });
    const notAList = pipeline("m", { inputs: "items: list[str]" }).map("items", pipeline("e").predict("item -> x"));
    const events = await collect(notAList.run(client, { items: "nope" as unknown as string[] }));
    expect(events.at(-1)).toMatchObject({ type: "error", code: Code.InvalidArgument });
    expect(await p.run(client, { question: "fine" }).result).toMatchObject({ answer: "answer: fine" });
  });

  it("in a session the pipeline is compiled once and run many times with flat worker memory", async () => {
    const session = await client.session();
    try {
      const p = pipeline("mem", { inputs: "items: list[str]" })
        .predict("question -> answer")
        .parallel([pipeline("x").predict("answer -> label"), pipeline("y").predict("question -> label")], majorityVote("label"))
        .map("items", pipeline("e").predict("item -> summary"), { select: "summary" });
      const once = () => p.run(session, { question: "q", items: ["a", "b"] }).result;
      for (let i = 0; i < 40; i++) await once();
      const pid = client.stats().workers[0]!.pid!;
      const before = rssMiB(pid);
      for (let i = 0; i < 200; i++) expect((await once()).results).toEqual(["summary: a", "summary: b"]);
      const after = rssMiB(pid);
      expect(after - before).toBeLessThan(25);
    } finally {
      await session.close();
    }
  });
});
