import { Code, ConnectError, type DspyClient } from "@dspy-connect/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type StreamEvent, streamChainOfThought, streamPredict, streamReact, type TokenEvent } from "../src/index.js";
import { collect, startClient, streamifyReference } from "./helpers.js";

let client: DspyClient;
beforeAll(async () => {
  client = await startClient({ workers: 1 });
});
afterAll(() => client?.close());

const tokens = (events: StreamEvent[]) => events.filter((e): e is TokenEvent => e.type === "token");
const joined = (events: StreamEvent[], field: string) =>
  tokens(events)
    .filter((t) => t.field === field)
    .map((t) => t.delta)
    .join("");

describe("streamPredict / streamChainOfThought", () => {
  it("streams each output field's tokens, then the typed result, ending with done", async () => {
    const run = streamPredict(client, "question -> answer", { question: "what is streaming" });
    const events = await collect(run);
    expect(events.at(-1)?.type).toBe("done");
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(tokens(events).length).toBeGreaterThan(2);
    expect(joined(events, "answer")).toBe("answer: what is streaming");
    expect(await run.result).toEqual({ answer: "answer: what is streaming" });
  });

  it("streams reasoning first, then the answer", async () => {
    const events = await collect(streamChainOfThought(client, "question -> answer", { question: "why" }));
    const fields = tokens(events).map((t) => t.field);
    expect(fields.indexOf("answer")).toBeGreaterThan(fields.lastIndexOf("reasoning"));
    const done = events.at(-1)!;
    expect(done.type === "done" && done.result).toEqual({ reasoning: "Step by step: why", answer: "answer: why" });
    expect(done.type === "done" && done.usage.totalTokens).toBeGreaterThan(0);
  });

  it("delivers the first token before the LM has finished", async () => {
    // 40 ms between chunks: the worker produces the last token well after the first.
    const run = streamPredict(
      client,
      "question -> answer",
      { question: "one two three four five six" },
      {
        lm: { model: "scripted/tokens-40", cache: false },
      },
    );
    // Both in ms since the run started; the client's clock started first, so the
    // comparison only errs against passing.
    const opened = performance.now();
    let firstReceived: number | undefined;
    let lastProduced = 0;
    for await (const event of run) {
      if (event.type !== "token") continue;
      firstReceived ??= performance.now() - opened;
      lastProduced = event.time;
    }
    expect(firstReceived).toBeLessThan(lastProduced);
  });

  it("matches DSPy's own streamify chunk for chunk (parity)", async () => {
    for (const [type, signature, inputs] of [
      ["predict", "question -> answer", { question: "parity of tokens, please" }],
      ["chain_of_thought", "question, context: list[str] -> answer, confidence: float", { question: "q?", context: ["a", "b"] }],
    ] as const) {
      const reference = await streamifyReference({ type, signature, inputs, lm: "scripted/echo" });
      const run =
        type === "predict" ? streamPredict(client, signature, inputs as never) : streamChainOfThought(client, signature, inputs as never);
      const ours = tokens(await collect(run)).map((t) => ({ field: t.field, delta: t.delta, last: t.last }));
      expect(reference.length).toBeGreaterThan(3);
      expect(ours).toEqual(reference.map(({ field, delta, last }) => ({ field, delta, last })));
    }
  });

  it("runs in a session, reusing the session's module", async () => {
    await using session = await client.session();
    const first = await streamPredict(session, "question -> answer", { question: "a" }).result;
    const second = await streamPredict(session, "question -> answer", { question: "b" }).result;
    expect([first.answer, second.answer]).toEqual(["answer: a", "answer: b"]);
  });

  it("ends bad input with a typed error event and a rejected result", async () => {
    const run = streamPredict(client, "question -> answer", { nope: 1 } as never);
    const events = await collect(run);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: "error", code: Code.InvalidArgument, seq: 1 });
    await expect(run.result).rejects.toMatchObject({ code: Code.InvalidArgument });
    await expect(run.result).rejects.toBeInstanceOf(ConnectError);
  });

  it("reports an LM failure as an error event, and the worker stays up", async () => {
    const run = streamPredict(
      client,
      "question -> answer",
      { question: "x" },
      {
        lm: { model: "scripted/fail", kwargs: { num_retries: 0 } },
      },
    );
    const events = await collect(run);
    expect(events.at(-1)).toMatchObject({ type: "error", code: Code.Internal });
    expect((await streamPredict(client, "question -> answer", { question: "y" }).result).answer).toBe("answer: y");
  });

  it("supports the callback form and result-only use", async () => {
    const seen: string[] = [];
    const run = streamPredict(client, "question -> answer", { question: "cb" }, { onEvent: (e) => void seen.push(e.type) });
    expect(await run.result).toEqual({ answer: "answer: cb" });
    expect(seen.at(-1)).toBe("done");
    expect(seen).toContain("token");
    expect(() => run[Symbol.asyncIterator]()).toThrow(TypeError);
    expect((await streamPredict(client, "question -> n: int", { question: "four" }).result).n).toBe(4);
  });
});

describe("streamReact", () => {
  it("emits thought, tool_start and observation at every step, then the answer", async () => {
    const run = streamReact(client, "question -> answer", { question: "count these four words" }, { tools: ["word_count"] });
    const events = (await collect(run)).filter((e) => ["thought", "tool_start", "observation"].includes(e.type));
    expect(events.map((e) => e.type)).toEqual(["thought", "tool_start", "observation", "thought", "tool_start", "observation"]);
    const call = events[1]!;
    expect(call).toMatchObject({ type: "tool_start", tool: "word_count", step: 1 });
    const words = String((call.type === "tool_start" && (call.args as { input: string }).input) || "").split(/\s+/).length;
    expect(events[2]).toMatchObject({
      tool: "word_count",
      observation: words,
      isError: false,
      step: 1,
      callId: (call as { callId: string }).callId,
    });
    expect(events[4]).toMatchObject({ tool: "finish", step: 2 });
    const result = await run.result;
    expect(result.answer).toBe("answer: count these four words");
    expect(result.trajectory).toHaveProperty("observation_0", words);
  });

  it("shows a failing tool's error as the observation, as DSPy does", async () => {
    const run = streamReact(client, "question -> answer", { question: "q" }, { tools: ["broken_tool"] });
    const observation = (await collect(run)).find((e) => e.type === "observation");
    expect(observation).toMatchObject({ tool: "broken_tool", isError: true });
    expect(String(observation?.type === "observation" && observation.observation)).toContain("out of order");
    expect((await run.result).answer).toBe("answer: q");
  });

  it("refuses tools that are not in the worker's allowlist", async () => {
    const run = streamReact(client, "question -> answer", { question: "q" }, { tools: ["os.system"] });
    await expect(run.result).rejects.toMatchObject({ code: Code.InvalidArgument, rawMessage: expect.stringContaining("unknown tool") });
  });
});
