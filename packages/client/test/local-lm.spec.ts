import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type DspyClient } from "../src/index.js";
import { python, quietLogger, waitFor } from "./helpers.js";

// End to end on the real embedded model (Gemma 3 270M on llama.cpp): structure, not wording.
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
