import { DatabaseSync } from "node:sqlite";
import { Code, type DspyClient } from "@dspy-connect/client";
import { executeStream, streamBatch, streamModule, streamReact } from "@dspy-connect/streaming";
import { collect, ofType, startClient, waitFor } from "@dspy-connect/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { defineTool } from "../src/index.js";

let client: DspyClient;
beforeAll(async () => {
  client = await startClient({ workers: 1 });
});
afterAll(() => client?.close());

const describeWorker = async () => (await client.describe())[0]!;
// The scripted LM passes the question as {"input": "next_tool_args: <question>"}.
const input = z.object({ input: z.string().describe("what to look up") });

describe("TypeScript tools called by a Python ReAct agent", () => {
  it("answers from a real SQLite table through a TS tool", async () => {
    const db = new DatabaseSync(":memory:");
    db.exec("CREATE TABLE cities (name TEXT PRIMARY KEY, population INTEGER)");
    const insert = db.prepare("INSERT INTO cities VALUES (?, ?)");
    for (const [name, population] of [
      ["Paris", 2102650],
      ["Lyon", 522250],
      ["Nice", 348085],
    ] as const)
      insert.run(name, population);
    const lookup = db.prepare("SELECT name, population FROM cities WHERE instr(?, name) > 0");
    const cityPopulation = defineTool({
      name: "city_population",
      description: "The population of the city named in the input.",
      input,
      execute: ({ input }) => lookup.all(input).map((row) => ({ ...row })),
    });

    const run = streamReact(client, "question -> answer", { question: "How many people live in Lyon?" }, { tools: [cityPopulation] });
    const events = await collect(run);
    const [start] = ofType(events, "tool_start");
    expect(start).toMatchObject({ tool: "city_population", step: 1, args: { input: expect.stringContaining("Lyon") } });
    const [observation] = ofType(events, "observation");
    expect(observation).toMatchObject({ callId: start!.callId, isError: false, observation: [{ name: "Lyon", population: 522250 }] });
    expect(events.at(-1)?.type).toBe("done");
    expect((await run.result).trajectory).toHaveProperty("observation_0", [{ name: "Lyon", population: 522250 }]);
    db.close();
  });

  it("streams a tool's output chunks as tool_output events; the joined chunks are the observation", async () => {
    const spell = defineTool({
      name: "spell",
      description: "Spells the input, one letter at a time.",
      input,
      async *execute() {
        for (const letter of ["a", "b", "c"]) yield letter;
      },
    });
    const events = await collect(streamReact(client, "question -> answer", { question: "abc" }, { tools: [spell] }));
    const [start] = ofType(events, "tool_start");
    const outputs = ofType(events, "tool_output");
    expect(outputs.map((o) => o.chunk)).toEqual(["a", "b", "c"]);
    expect(outputs.every((o) => o.callId === start!.callId && o.tool === "spell" && o.step === 1)).toBe(true);
    const [observation] = ofType(events, "observation");
    expect(observation).toMatchObject({ observation: "abc", isError: false });
    // Each chunk reached the reader before the observation.
    expect(outputs.at(-1)!.seq).toBeLessThan(observation!.seq);
  });

  it("times a tool out: its signal fires, the agent sees the timeout and goes on", async () => {
    let aborted: unknown;
    const stuck = defineTool({
      name: "stuck",
      description: "Never answers.",
      input,
      timeoutMs: 300,
      execute: (_, { signal }) =>
        new Promise((_, reject) =>
          signal.addEventListener("abort", () => {
            aborted = signal.reason;
            reject(signal.reason);
          }),
        ),
    });
    const run = streamReact(client, "question -> answer", { question: "q" }, { tools: [stuck] });
    const events = await collect(run);
    expect(ofType(events, "tool_error")).toEqual([
      expect.objectContaining({ tool: "stuck", kind: "timeout", message: expect.stringContaining("timed out after 300 ms") }),
    ]);
    expect(ofType(events, "observation")[0]).toMatchObject({
      tool: "stuck",
      isError: true,
      observation: expect.stringContaining("timed out"),
    });
    expect((await run.result).answer).toBe("answer: q");
    await waitFor(() => aborted !== undefined, 2_000);
  });

  it("turns a thrown error into the observation and a tool_error event", async () => {
    const failing = defineTool({
      name: "failing",
      description: "Always fails.",
      input,
      execute: () => {
        throw new Error("the database is down");
      },
    });
    const run = streamReact(client, "question -> answer", { question: "q" }, { tools: [failing] });
    const events = await collect(run);
    const message = "failing failed: the database is down";
    expect(ofType(events, "tool_error")[0]).toMatchObject({ tool: "failing", kind: "error", message });
    expect(ofType(events, "observation")[0]).toMatchObject({ isError: true, observation: message });
    expect(events.at(-1)?.type).toBe("done");
    // The model reads the same short message: no Python traceback, no worker paths.
    const seen = (await run.result).trajectory.observation_0;
    expect(seen).toBe(message);
  });

  it("a tool the agent lacks is a tool_error, and the model is told which tools exist", async () => {
    const lookup = defineTool({ name: "lookup", description: "Looks it up.", input, execute: () => "found" });
    // scripted/stray: the agent's first step names "no_such_tool".
    const run = streamReact(client, "question -> answer", { question: "q" }, { tools: [lookup], lm: { model: "scripted/stray" } });
    const events = await collect(run);
    const [error] = ofType(events, "tool_error");
    expect(error).toMatchObject({
      tool: "no_such_tool",
      kind: "unknown_tool",
      message: expect.stringContaining("the tools are finish, lookup"),
    });
    expect(ofType(events, "observation")[0]).toMatchObject({ callId: error!.callId, isError: true });
    // The agent went on to its real tool.
    expect(ofType(events, "observation")[1]).toMatchObject({ tool: "lookup", observation: "found", isError: false });
    expect(events.at(-1)?.type).toBe("done");
  });

  it("validates args before execute: schema failures reach the model, execute never runs", async () => {
    let ran = false;
    // The refinement exists only in TypeScript: the worker passes the call, TS refuses it.
    const strict = defineTool({
      name: "strict",
      description: "Wants an input that starts with 'id:'.",
      input: z.object({ input: z.string().refine((s) => s.startsWith("id:"), "must start with id:") }),
      execute: () => (ran = true),
    });
    // A JSON Schema type the model's args do not match: refused in the worker, no round trip.
    const numeric = defineTool({
      name: "numeric",
      description: "Wants a number.",
      input: { type: "object", properties: { input: { type: "integer" } }, required: ["input"] },
      execute: () => (ran = true),
    });
    const events = await collect(streamReact(client, "question -> answer", { question: "q" }, { tools: [strict, numeric] }));
    const errors = ofType(events, "tool_error");
    expect(errors.map((e) => [e.tool, e.kind])).toEqual([
      ["strict", "invalid_args"],
      ["numeric", "invalid_args"],
    ]);
    expect(errors[0]!.message).toContain("must start with id:");
    expect(
      ofType(events, "observation")
        .slice(0, 2)
        .every((o) => o.isError),
    ).toBe(true);
    expect(ran).toBe(false);
    expect(events.at(-1)?.type).toBe("done");
  });

  it("reports a result that is not JSON-serialisable", async () => {
    const leaky = defineTool({ name: "leaky", description: "Returns a Map.", input, execute: () => new Map([["a", 1]]) });
    const events = await collect(streamReact(client, "question -> answer", { question: "q" }, { tools: [leaky] }));
    expect(ofType(events, "tool_error")[0]).toMatchObject({
      kind: "not_serializable",
      message: expect.stringContaining("not JSON-serialisable: a Map"),
    });
  });

  it("cancelling the run during a tool call aborts the tool and stops the Python side", async () => {
    // Several rounds: a DSPy thread left blocked by one cancelled run would show up as busy.
    for (let round = 0; round < 5; round++) {
      const before = await describeWorker();
      const controller = new AbortController();
      let toolSignal: AbortSignal | undefined;
      const slow = defineTool({
        name: "slow",
        description: "Waits until cancelled.",
        input,
        execute: (_, { signal }) => {
          toolSignal = signal;
          controller.abort();
          return new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason)));
        },
      });
      const run = streamReact(client, "question -> answer", { question: "q" }, { tools: [slow], signal: controller.signal });
      const events = await collect(run);
      expect(events.at(-1)).toMatchObject({ type: "error", code: Code.Canceled });
      expect(toolSignal?.aborted).toBe(true);
      await waitFor(async () => {
        const now = await describeWorker();
        return now.busyThreads === 0 && now.activeRuns === 0 && now.runsCancelled > before.runsCancelled;
      }, 5_000);
    }
  });

  it("mixes Python-native and TypeScript tools in one agent; Python tools stay in Python", async () => {
    const calls: string[] = [];
    const shout = defineTool({
      name: "shout",
      description: "Upper-cases the input.",
      input,
      execute: ({ input }) => {
        calls.push(input);
        return input.toUpperCase();
      },
    });
    const events = await collect(streamReact(client, "question -> answer", { question: "two words" }, { tools: [shout, "word_count"] }));
    const observations = ofType(events, "observation");
    expect(observations.map((o) => [o.tool, o.isError])).toEqual([
      ["shout", false],
      ["word_count", false],
      ["finish", false],
    ]);
    expect(observations[0]!.observation).toBe("NEXT_TOOL_ARGS: TWO WORDS");
    expect(observations[1]!.observation).toBe(3); // counted in Python: "next_tool_args: two words"
    expect(calls).toHaveLength(1); // only the TS tool crossed the bridge
  });

  it("a Python generator tool streams its output as tool_output events too", async () => {
    const events = await collect(streamReact(client, "question -> answer", { question: "abc" }, { tools: ["spell"] }));
    const outputs = ofType(events, "tool_output");
    expect(outputs.map((o) => o.chunk).join("")).toBe("next_tool_args:");
    expect(outputs.every((o) => o.tool === "spell" && o.step === 1)).toBe(true);
    expect(ofType(events, "observation")[0]).toMatchObject({ tool: "spell", observation: "next_tool_args:", isError: false });
  });

  it("runs parallel tool calls at once (async path)", async () => {
    // Each call waits until all three are in flight: this only finishes if they overlap.
    let started = 0;
    let release!: () => void;
    const allStarted = new Promise<void>((resolve) => (release = resolve));
    const tools = ["a", "b", "c"].map((name) =>
      defineTool({
        name: `part_${name}`,
        description: `Part ${name}.`,
        input,
        execute: async () => {
          if (++started === 3) release();
          await allStarted;
          return name;
        },
      }),
    );
    const run = streamModule(
      client,
      { type: "call_all_tools", signature: "question -> answer", tools: tools.map((t) => t.name) },
      { question: "q" },
      { tools, timeoutMs: 20_000 },
    );
    expect(await run.result).toEqual({ answer: "a\nb\nc" });
  });
});

describe("batches of agents", () => {
  it("each item's agent calls the TS tool; calls from parallel items interleave on one run", async () => {
    const seen: string[] = [];
    const shout = defineTool({
      name: "shout",
      description: "Upper-cases.",
      input,
      execute: async ({ input }) => {
        seen.push(input);
        return input.toUpperCase();
      },
    });
    const items = ["a", "b", "c", "d"].map((question) => ({ question }));
    const run = streamBatch(client, { type: "react", signature: "question -> answer", tools: ["shout"] }, items, {
      tools: [shout],
      concurrency: 4,
    });
    const events = await collect(run);
    expect(ofType(events, "item_complete")).toHaveLength(4);
    expect(seen.sort()).toEqual(items.map((i) => `next_tool_args: ${i.question}`));
    expect(await run.result).toMatchObject({ total: 4, failed: 0 });
  });
});

describe("registries and access", () => {
  it("session tools are registered once and used by id in later runs", async () => {
    const session = await client.session();
    const ids = session.tools.registerBatch([
      defineTool({ name: "echo", description: "Echoes.", input, execute: ({ input }) => input }),
      defineTool({ name: "length", description: "Length.", input, execute: ({ input }) => input.length }),
    ]);
    expect(ids).toEqual(["echo", "length"]);
    for (const question of ["first", "second"]) {
      const events = await collect(streamReact(session, "question -> answer", { question }, { tools: ["length"] }));
      expect(ofType(events, "observation")[0]).toMatchObject({ tool: "length", observation: `next_tool_args: ${question}`.length });
    }
    expect(() => session.tools.register(defineTool({ name: "echo", description: "again", input, execute: () => 1 }))).toThrow(
      /already registered/,
    );
    await session.close();
  });

  it("only the run's own tools can be called", async () => {
    const secret = defineTool({ name: "secret", description: "Not for this run.", input, execute: () => "leaked" });
    const session = await client.session();
    session.tools.register(secret);
    // A command asks for a tool the run did not bring (the session has it, unnamed).
    const run = executeStream(session, "tool_pingpong", { tool: "secret", n: 1 });
    await expect(run.result).rejects.toMatchObject({ code: Code.Internal, rawMessage: expect.stringContaining("unknown tool 'secret'") });
    await session.close();
  });

  it("runs 1,000 tool calls in one run", async () => {
    let calls = 0;
    const ping = defineTool({
      name: "ping",
      description: "Pong.",
      input: z.object({ i: z.number() }),
      execute: ({ i }) => {
        calls++;
        return i;
      },
    });
    const result = await executeStream<{ calls: number; ms: number[] }>(
      client,
      "tool_pingpong",
      { tool: "ping", n: 1000 },
      { tools: [ping] },
    ).result;
    expect(result.calls).toBe(1000);
    expect(calls).toBe(1000);
  });
});
