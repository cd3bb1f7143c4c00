import { Code, type DspyClient } from "@dspy-connect/client";
import { collect, ofType, startClient } from "@dspy-connect/test-support";
import { defineTool } from "@dspy-connect/tools";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { pipeline, stream, streamRoute } from "../src/index.js";

let client: DspyClient;
beforeAll(async () => {
  client = await startClient({ workers: 1 });
});
afterAll(() => client?.close());

const shout = defineTool({
  name: "shout",
  description: "Upper-cases.",
  input: z.object({ input: z.string() }),
  execute: ({ input }) => input.toUpperCase(),
});

describe("stream(): one entry point, three routes", () => {
  it("direct: a module streams its tokens", async () => {
    const run = stream(client, "predict", { signature: "question -> answer", inputs: { question: "hi" } });
    expect(run.route).toBe("direct");
    const events = await collect(run);
    expect(ofType(events, "token").length).toBeGreaterThan(0);
    expect(await run.result).toEqual({ answer: "answer: hi" });
  });

  it("direct: ReAct with Python tools only stays direct", async () => {
    const run = stream(client, "react", { signature: "question -> answer", inputs: { question: "two words" }, tools: ["word_count"] });
    expect(run.route).toBe("direct");
    expect(ofType(await collect(run), "observation")[0]).toMatchObject({ tool: "word_count", observation: 3 });
  });

  it("direct: batches, optimizers and commands by name", async () => {
    const batch = stream(client, "batch", {
      module: { type: "predict", signature: "question -> answer" },
      items: [{ question: "a" }, { question: "b" }],
    });
    expect(await batch.result).toMatchObject({ total: 2, failed: 0 });
    const command = stream(client, "count", { args: { to: 2 } });
    expect(ofType(await collect(command), "custom").map((e) => e.data)).toEqual([{ i: 1 }, { i: 2 }]);
    const trainset = [
      { question: "q1", answer: "answer: q1" },
      { question: "q2", answer: "answer: q2" },
    ];
    const optimize = stream(client, "optimize", {
      program: { type: "predict", signature: "question -> answer" },
      trainset,
      metric: "exact_match",
      optimizer: { name: "bootstrap_few_shot" },
    });
    expect(await optimize.result).toMatchObject({ optimizer: "bootstrap_few_shot" });
  });

  it("composer: a pipeline runs in one worker call with step events", async () => {
    const answer = pipeline("answer").predict("question -> answer");
    const run = stream(client, answer, { inputs: { question: "why" } });
    expect(run.route).toBe("composer");
    const events = await collect(run);
    expect(ofType(events, "step_start").length).toBeGreaterThan(0);
    expect(ofType(events, "pipeline_complete")).toHaveLength(1);
    expect(await run.result).toMatchObject({ answer: "answer: why" });
  });

  it("tool_bridge: TypeScript tools (or a session's tool ids) are called over the run's stream", async () => {
    const run = stream(client, "react", { signature: "question -> answer", inputs: { question: "hey" }, tools: [shout, "word_count"] });
    expect(run.route).toBe("tool_bridge");
    const observations = ofType(await collect(run), "observation");
    expect(observations.map((o) => [o.tool, o.observation])).toEqual([
      ["shout", "NEXT_TOOL_ARGS: HEY"],
      ["word_count", 2],
      ["finish", "Completed."],
    ]);

    const session = await client.session();
    session.tools.register(shout);
    expect(streamRoute(session, "react", { tools: ["shout"] })).toBe("tool_bridge");
    expect(streamRoute(client, "react", { tools: ["shout"] })).toBe("direct"); // only a session knows the id
    const inSession = stream(session, "react", { signature: "question -> answer", inputs: { question: "x" }, tools: ["shout"] });
    expect(ofType(await collect(inSession), "observation")[0]).toMatchObject({ tool: "shout", observation: "NEXT_TOOL_ARGS: X" });
    await session.close();
  });

  it("rejects an operation it cannot run with a typed error event", async () => {
    // @ts-expect-error: a batch needs its module
    const run = stream(client, "batch", { items: [] });
    expect(await collect(run)).toEqual([
      expect.objectContaining({ type: "error", code: Code.InvalidArgument, message: 'stream("batch") needs `module`' }),
    ]);
  });

  it("names the arguments a module is missing instead of running a command of its name", async () => {
    // @ts-expect-error: the signature is missing
    const noSignature = stream(client, "predict", { inputs: { question: "q" } });
    expect(await collect(noSignature)).toEqual([
      expect.objectContaining({ type: "error", code: Code.InvalidArgument, message: 'stream("predict") needs `signature`' }),
    ]);
    // @ts-expect-error: nothing given
    const nothing = stream(client, "react");
    await expect(nothing.result).rejects.toMatchObject({
      code: Code.InvalidArgument,
      rawMessage: 'stream("react") needs `signature` and `inputs`',
    });
    // @ts-expect-error: the optimizer needs more
    const optimize = stream(client, "optimize", { program: { type: "predict", signature: "q -> a" } });
    await expect(optimize.result).rejects.toMatchObject({
      rawMessage: 'stream("optimize") needs `trainset`, `metric` and `optimizer`',
    });
  });

  it("gives each operation's result its type", async () => {
    const run = stream(client, "predict", { signature: "question -> answer", inputs: { question: "typed" } });
    const result: { answer: string } = await run.result;
    expect(result.answer).toBe("answer: typed");
  });
});
