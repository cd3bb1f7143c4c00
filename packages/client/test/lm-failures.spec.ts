// LM failures end-to-end: a real worker over its real socket, the scripted LM provider.
// How many attempts a failure took, the per-client and per-call `retries` options, the
// up-front key check (the worker asks LiteLLM), and a client that resolves only when warm.
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, type DspyClient } from "../src/index.js";
import { startClient, testEnv } from "./helpers.js";

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

describe("LM failures", () => {
  let client: DspyClient;
  beforeAll(async () => {
    client = await startClient({ workers: 1, lm: "scripted/echo" });
  });
  afterAll(() => client.close());

  it("retries a transient failure twice by default, and says so", async () => {
    const failing = client.predict("q -> a", { q: "x" }, { lm: "scripted/fail" });
    await expect(failing).rejects.toMatchObject({ code: Code.Internal });
    await expect(failing).rejects.toThrow(/scripted LM failure.*after 3 attempts/);
  });

  it("takes a call's own retries", async () => {
    await expect(client.predict("q -> a", { q: "x" }, { lm: "scripted/fail", retries: 0 })).rejects.toThrow(/after 1 attempt\b/);
    await expect(client.predict("q -> a", { q: "x" }, { lm: "scripted/fail", retries: 1 })).rejects.toThrow(/after 2 attempts/);
  });

  it("takes a streamed run's own retries", async () => {
    const run = client.openRun(
      {
        operation: {
          case: "module",
          value: { module: { type: "predict", signature: "q -> a" }, inputsJson: new TextEncoder().encode('{"q":"x"}') },
        },
      },
      { lm: "scripted/fail", retries: 0 },
    );
    let message = "";
    for await (const response of run.responses) {
      const outcome = response.kind.case === "done" ? response.kind.value.outcome : undefined;
      if (outcome?.case === "error") message = outcome.value.message;
    }
    expect(message).toMatch(/after 1 attempt\b/);
  });

  it("refuses retries that are not a small whole number, before any work", async () => {
    await expect(client.predict("q -> a", { q: "x" }, { retries: -1 })).rejects.toMatchObject({ code: Code.InvalidArgument });
    await expect(client.predict("q -> a", { q: "x" }, { retries: 1.5 })).rejects.toMatchObject({ code: Code.InvalidArgument });
  });

  it("fails at once when the local server is not there", async () => {
    const lm = { model: "openai/any", apiBase: `http://127.0.0.1:${await closedPort()}/v1`, apiKey: "k" };
    await expect(client.predict("q -> a", { q: "x" }, { lm })).rejects.toThrow(/after 1 attempt; not retried: the local server refused/);
  });

  it("fails at once for a model the provider does not serve", async () => {
    await expect(client.predict("q -> a", { q: "x" }, { lm: "scripted/no-such-model" })).rejects.toThrow(
      /unknown scripted model.*after 1 attempt; not retried/,
    );
  });

  it("names a per-call LM's missing key before any work (LiteLLM knows Azure)", async () => {
    const failing = client.predict("q -> a", { q: "x" }, { lm: "azure/gpt-4o" });
    await expect(failing).rejects.toMatchObject({ code: Code.FailedPrecondition });
    await expect(failing).rejects.toThrow(/AZURE_API_KEY/);
  });
});

describe("the client's retries", () => {
  it("apply to every call that does not set its own", async () => {
    const client = await startClient({ workers: 1, lm: "scripted/fail", retries: 0 });
    try {
      await expect(client.predict("q -> a", { q: "x" })).rejects.toThrow(/after 1 attempt\b/);
      await expect(client.predict("q -> a", { q: "x" }, { retries: 1 })).rejects.toThrow(/after 2 attempts/);
    } finally {
      await client.close();
    }
  });
});

describe("createClient", () => {
  it("refuses a default LM whose key is missing, naming what LiteLLM says it needs", async () => {
    // Azure was missing from the old hand-written table: this client used to start.
    const env = { ...testEnv, AZURE_API_KEY: undefined, AZURE_API_BASE: undefined, AZURE_API_VERSION: undefined };
    const error = await startClient({ workers: 1, lm: "azure/gpt-4o", env }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: Code.FailedPrecondition });
    expect((error as Error).message).toMatch(/AZURE_API_KEY/);
  });

  it("resolves only once every worker has warmed up", async () => {
    const client = await startClient({ workers: 1, lm: "scripted/echo" });
    try {
      const infos = await client.describe();
      expect(infos.map((info) => info.warmedUp)).toEqual([true]);
    } finally {
      await client.close();
    }
  });
});
