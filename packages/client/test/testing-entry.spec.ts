// A user's test suite: only the package's public entry points (`@dspy-connect/client` and
// `@dspy-connect/client/testing`, resolved through package.json `exports` to the built
// dist), a real worker over its real socket, and the scripted LM.
import { fileURLToPath } from "node:url";
import { Code, ConnectError, type DspyClient, type SignatureOutputs } from "@dspy-connect/client";
import { createTestClient, scriptedLm } from "@dspy-connect/client/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// Where this repository's worker lives; a user's suite sets `python` (or $DSPY_CONNECT_PYTHON).
const python = process.env.DSPY_CONNECT_PYTHON ?? fileURLToPath(new URL("../../../python/.venv/bin/python", import.meta.url));

describe("@dspy-connect/client/testing", () => {
  let client: DspyClient;
  const developersLm = process.env.DSPY_CONNECT_LM;

  beforeAll(async () => {
    // A developer's (or CI's) DSPY_CONNECT_LM must not reach the test client: with this
    // one, createClient would reject for want of OPENAI_API_KEY, or call OpenAI.
    process.env.DSPY_CONNECT_LM = "openai/gpt-4o-mini";
    try {
      client = await createTestClient({ python, logger: {} });
    } finally {
      if (developersLm === undefined) delete process.env.DSPY_CONNECT_LM;
      else process.env.DSPY_CONNECT_LM = developersLm;
    }
  });
  afterAll(() => client?.close());

  it("starts one worker on the echo LM, whatever DSPY_CONNECT_LM says", async () => {
    expect(client.stats().workers).toHaveLength(1);
    const [info] = await client.describe();
    expect(info?.lm?.model).toBe("scripted/echo");
  });

  it("answers deterministically from the inputs (echo)", async () => {
    const out = await client.chainOfThought("question -> answer, words: int", { question: "Why is the sky blue?" });
    expect(out).toEqual({ reasoning: "Step by step: Why is the sky blue?", answer: "answer: Why is the sky blue?", words: 20 });
  });

  it("fails like an LM outage (fail), and the client goes on", async () => {
    const failed = client.predict("question -> answer", { question: "q" }, { lm: scriptedLm.fail });
    await expect(failed).rejects.toBeInstanceOf(ConnectError);
    await expect(failed).rejects.toMatchObject({ code: Code.Internal, message: expect.stringContaining("scripted LM failure") });
    expect(await client.predict("question -> answer", { question: "q" })).toEqual({ answer: "answer: q" });
  });

  it("answers scripted output values, typed from the signature", async () => {
    const signature = "question -> answer, confidence: float, sources: list[str]";
    const lm = scriptedLm.outputs<SignatureOutputs<typeof signature>>({ answer: "Paris", sources: ["atlas"] });
    const out = await client.predict(signature, { question: "Capital of France?" }, { lm });
    expect(out).toEqual({ answer: "Paris", confidence: 0.5, sources: ["atlas"] }); // confidence: left out, so echo's
    // @ts-expect-error: `sources` is a list of strings in the signature
    scriptedLm.outputs<SignatureOutputs<typeof signature>>({ sources: "atlas" });
  });

  it("scripts a session's LM too", async () => {
    const session = await client.session({ lm: scriptedLm.outputs({ answer: "from the session" }) });
    try {
      expect(await session.predict("question -> answer", { question: "q" })).toEqual({ answer: "from the session" });
    } finally {
      await session.close();
    }
  });

  it("refuses a malformed script with InvalidArgument", async () => {
    const lm = { model: scriptedLm.echo, kwargs: { scripted_outputs: { answer: "not a list" } } };
    await expect(client.predict("question -> answer", { question: "q" }, { lm })).rejects.toMatchObject({
      code: Code.InvalidArgument,
      message: expect.stringContaining("scripted_outputs must be a list of objects"),
    });
    expect(() => scriptedLm.slow(1.5)).toThrow(expect.objectContaining({ code: Code.InvalidArgument }));
    expect(() => scriptedLm.outputs([])).toThrow(expect.objectContaining({ code: Code.InvalidArgument }));
  });
});
