import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import { Code, ConnectError, type DspyClient } from "../src/index.js";
import { startClient } from "./helpers.js";

describe("a pool of two real workers", () => {
  let client: DspyClient;
  beforeAll(async () => {
    client = await startClient({ workers: 2 });
  });
  afterAll(() => client.close());

  it("starts every worker ready", () => {
    const stats = client.stats();
    expect(stats.workers.map((w) => [w.id, w.status, w.kind])).toEqual([
      ["w0", "ready", "local"],
      ["w1", "ready", "local"],
    ]);
    expect(stats.workers.every((w) => typeof w.pid === "number")).toBe(true);
  });

  it("predicts with a typed signature", async () => {
    const out = await client.predict("question: str, context: list[str] -> answer: int", {
      question: "hello",
      context: ["a", "b"],
    });
    expectTypeOf(out).toEqualTypeOf<{ answer: number }>();
    expect(out).toEqual({ answer: 5 });
  });

  it("runs chain of thought with reasoning", async () => {
    const out = await client.chainOfThought("question -> answer", { question: "why" });
    expectTypeOf(out.reasoning).toBeString();
    expectTypeOf(out.answer).toBeString();
    expect(out).toEqual({ reasoning: "Step by step: why", answer: "answer: why" });
  });

  it("passes instructions and module config", async () => {
    const out = await client.predict("q -> a", { q: "x" }, { instructions: "Be brief.", config: { temperature: 0 } });
    expect(out).toEqual({ a: "a: x" });
  });

  it("runs any module type through call(), with usage and worker id", async () => {
    // Uncached: a DSPy cache hit reports no token usage.
    const result = await client.call(
      { type: "predict", signature: "q -> flag: bool, score: float" },
      { q: "x" },
      { lm: { model: "scripted/echo", cache: false } },
    );
    expect(result.outputs).toEqual({ flag: true, score: 0.5 });
    expect(result.usage.totalTokens).toBeGreaterThan(0);
    expect(["w0", "w1"]).toContain(result.workerId);
    expect(result.durationMs).toBeGreaterThan(0);
  });

  it("routes concurrent calls to the least-loaded worker", async () => {
    const results = await Promise.all(
      [0, 1].map(() =>
        client.call({ type: "predict", signature: "q -> a" }, { q: "x" }, { lm: { model: "scripted/slow-500", cache: false } }),
      ),
    );
    expect(new Set(results.map((r) => r.workerId))).toEqual(new Set(["w0", "w1"]));
  });

  it("describes its workers", async () => {
    const described = await client.describe();
    expect(described.map((d) => d.workerId).sort()).toEqual(["w0", "w1"]);
    for (const d of described) {
      expect(d.dspyVersion).toMatch(/^3\./);
      expect(d.lm?.model).toBe("scripted/echo");
      expect(d.capabilities).toContain("call");
    }
  });

  it("uses a per-call LM override", async () => {
    const failing = client.predict("q -> a", { q: "x" }, { lm: "scripted/fail" });
    await expect(failing).rejects.toMatchObject({ code: Code.Internal });
    await expect(failing).rejects.toThrow(/scripted LM failure/);
  });

  describe("maps every error to a ConnectError code and the worker stays up", () => {
    const cases: [string, () => Promise<unknown>, Code][] = [
      ["a bad signature", () => client.predict("q -> " as string, { q: "x" }), Code.InvalidArgument],
      ["a hostile type", () => client.predict("q: antigravity -> a" as string, { q: "x" }), Code.InvalidArgument],
      ["a missing input", () => client.call({ type: "predict", signature: "q -> a" }, {}), Code.InvalidArgument],
      ["a wrongly typed input", () => client.call({ type: "predict", signature: "n: int -> a" }, { n: "many" }), Code.InvalidArgument],
      ["an unknown module type", () => client.call({ type: "nope", signature: "q -> a" }, { q: "x" }), Code.InvalidArgument],
      ["an input JSON cannot carry", () => client.call({ type: "predict", signature: "q -> a" }, { q: 1n }), Code.InvalidArgument],
      ["a DSPy/LM failure", () => client.predict("q -> a", { q: "x" }, { lm: "scripted/fail" }), Code.Internal],
      [
        "a deadline",
        () => client.predict("q -> a", { q: "x" }, { lm: { model: "scripted/slow-3000", cache: false }, timeoutMs: 300 }),
        Code.DeadlineExceeded,
      ],
      [
        "an abort",
        () => client.predict("q -> a", { q: "x" }, { lm: { model: "scripted/slow-3000", cache: false }, signal: AbortSignal.timeout(200) }),
        Code.Canceled,
      ],
    ];
    it.each(cases)("%s", async (_name, run, code) => {
      const error = await run().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConnectError);
      expect((error as ConnectError).code, (error as Error).message).toBe(code);
    });

    it("keeps every worker up and unrestarted", async () => {
      expect(client.stats().workers.map((w) => [w.status, w.restarts])).toEqual([
        ["ready", 0],
        ["ready", 0],
      ]);
      expect(await client.predict("q -> a", { q: "ok" })).toEqual({ a: "a: ok" });
    });
  });
});

describe("LM selection", () => {
  it("fails up front when a hosted model has no key", async () => {
    // Unset: LiteLLM's validate_environment (which the worker asks) counts an empty value as set.
    const error = await startClient({ workers: 1, lm: "openai/gpt-4o-mini", env: { OPENAI_API_KEY: undefined } }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: Code.FailedPrecondition });
    expect((error as Error).message).toMatch(/needs OPENAI_API_KEY/);
  });

  it("rejects a model string that is neither local nor provider/model", async () => {
    await expect(startClient({ workers: 1, lm: "gpt-4o" })).rejects.toMatchObject({ code: Code.InvalidArgument });
  });

  it("lets DSPY_CONNECT_LM override the configured LM", async () => {
    process.env.DSPY_CONNECT_LM = "scripted/fail";
    try {
      const client = await startClient({ workers: 1, lm: "scripted/echo" });
      try {
        await expect(client.predict("q -> a", { q: "x" })).rejects.toMatchObject({ code: Code.Internal });
      } finally {
        await client.close();
      }
    } finally {
      delete process.env.DSPY_CONNECT_LM;
    }
  });
});
