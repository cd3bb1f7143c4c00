// DSPy's LM response cache as users meet it: unary calls and batches use it by default;
// streams that show tokens (modules, pipelines) ask the LM unless the call sets `cache: true`.
// A cache hit is visible without a clock: it reports no token usage and streams no tokens.
import { fileURLToPath } from "node:url";
import type { DspyClient, LmSettings } from "@dspy-connect/client";
import { createTestClient, scriptedLm } from "@dspy-connect/client/testing";
import { streamPredict } from "@dspy-connect/streaming";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const python = process.env.DSPY_CONNECT_PYTHON ?? fileURLToPath(new URL("../../../python/.venv/bin/python", import.meta.url));

async function tokensOf(client: DspyClient, question: string, lm?: LmSettings): Promise<number> {
  const run = streamPredict(client, "question -> answer", { question }, lm ? { lm } : {});
  let tokens = 0;
  for await (const event of run) if (event.type === "token") tokens++;
  return tokens;
}

describe("the LM cache", () => {
  let client: DspyClient;
  beforeAll(async () => {
    client = await createTestClient({ python, logger: {} });
  });
  afterAll(() => client?.close());

  it("answers a repeated unary call from the cache by default, and asks the LM with cache: false", async () => {
    const call = (lm?: LmSettings) =>
      client.call({ type: "predict", signature: "question -> answer" }, { question: "cached unary?" }, lm ? { lm } : {});
    expect((await call()).usage.totalTokens).toBeGreaterThan(0);
    expect((await call()).usage.totalTokens).toBe(0); // a hit: no LM request, no tokens used
    expect((await call({ model: scriptedLm.echo, cache: false })).usage.totalTokens).toBeGreaterThan(0);
  });

  it("streams tokens on a repeated stream by default: streams skip the cache", async () => {
    expect(await tokensOf(client, "streamed twice?")).toBeGreaterThan(0);
    expect(await tokensOf(client, "streamed twice?")).toBeGreaterThan(0);
  });

  it("lets a stream opt in with cache: true, and then a hit streams no tokens", async () => {
    const lm = { model: scriptedLm.echo, cache: true };
    expect(await tokensOf(client, "opted in?", lm)).toBeGreaterThan(0);
    expect(await tokensOf(client, "opted in?", lm)).toBe(0);
  });
});
