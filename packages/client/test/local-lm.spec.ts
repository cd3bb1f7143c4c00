import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type DspyClient } from "../src/index.js";
import { localLmServerEntry } from "../src/local-lm/load-local-lm.js";
import { python, quietLogger, waitFor } from "./helpers.js";

// End to end on the real embedded model (the default, on node-llama-cpp): structure, not wording.
describe("the embedded local LM", () => {
  let client: DspyClient;
  beforeAll(async () => {
    client = await createClient({ workers: 1, python, logger: quietLogger }); // lm defaults to "local"
  }, 600_000);
  afterAll(() => client?.close());

  it("answers ChainOfThought with non-empty reasoning and answer", async () => {
    const out = await client.chainOfThought("question -> answer", { question: "What is the capital of France?" });
    expect(out.reasoning.trim()).not.toBe("");
    expect(out.answer.trim()).not.toBe("");
    expect(client.stats().localLm?.status).toBe("ready");
  }, 120_000);

  it("returns typed outputs parsed from the model", async () => {
    const out = await client.predict("question -> answer: int", { question: "What is 2 + 3?" });
    expect(typeof out.answer).toBe("number");
  }, 120_000);

  it("restarts a killed LM server, and the next call works", async () => {
    const before = client.stats().localLm!;
    process.kill(before.pid!, "SIGKILL");
    await waitFor(() => {
      const lm = client.stats().localLm!;
      return lm.restarts === 1 && lm.status === "ready";
    }, 300_000);
    expect(client.stats().localLm!.apiBase).toBe(before.apiBase);
    const out = await client.predict("question -> answer", { question: "Name a primary color." });
    expect(out.answer.trim()).not.toBe("");
  }, 400_000);
});

describe("lm local on a server the app already runs (DSPY_CONNECT_LOCAL_API_BASE)", () => {
  let server: ChildProcess;
  let client: DspyClient;
  beforeAll(async () => {
    server = spawn(process.execPath, [await localLmServerEntry(), "serve", "--slots", "1", "--exit-with-stdin"], {
      stdio: ["pipe", "pipe", "inherit"],
    });
    let apiBase = "";
    for await (const line of createInterface({ input: server.stdout! })) {
      if (line.startsWith("DSPY_CONNECT_LM_READY ")) {
        apiBase = (JSON.parse(line.slice(22)) as { api_base: string }).api_base;
        break;
      }
    }
    client = await createClient({ workers: 1, python, logger: quietLogger, env: { DSPY_CONNECT_LOCAL_API_BASE: apiBase } });
  }, 300_000);
  afterAll(async () => {
    await client?.close();
    server?.stdin?.end();
  });

  it("starts no server of its own and answers through the given one", async () => {
    expect(client.stats().localLm).toBeUndefined();
    const out = await client.predict("question -> answer", { question: "What is the capital of France?" });
    expect(out.answer.trim()).not.toBe("");
  }, 120_000);
});
