import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { DspyClient } from "@dspy-connect/client";
import { sendSSE } from "@dspy-connect/streaming";
import { readEvents } from "@dspy-connect/streaming/web";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pipeline, stream } from "../src/index.js";
import { collect, startClient, waitFor } from "./helpers.js";

// A pipeline run is a RunStream: the same SSE helpers serve it, over real HTTP.
let client: DspyClient;
let server: Server;
let url: string;
const describeWorker = async () => (await client.describe())[0]!;

const qa = pipeline("qa")
  .predict("question -> answer", { name: "draft" })
  .chainOfThought("text -> answer", { name: "refine", inputs: { text: "answer" }, outputs: { answer: "final" } });

beforeAll(async () => {
  client = await startClient({ workers: 1 });
  server = createServer((req, res) => {
    const question = new URL(req.url!, "http://local").searchParams.get("q") ?? "";
    const slow = question.startsWith("slow");
    void sendSSE(res, qa.run(client, { question }, slow ? { lm: { model: "scripted/slow-20000", cache: false } } : {}));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await client?.close();
});

describe("pipeline runs as Server-Sent Events", () => {
  it("streams step progress and tokens, then the final state", async () => {
    const run = readEvents<{ final: string }>(await fetch(`${url}/?q=one%20two`));
    const events = await collect(run);
    expect(events.filter((e) => e.type.startsWith("step_")).map((e) => [e.type, "path" in e && e.path])).toEqual([
      ["step_start", "draft"],
      ["step_complete", "draft"],
      ["step_start", "refine"],
      ["step_complete", "refine"],
    ]);
    expect(events.findIndex((e) => e.type === "token")).toBeLessThan(events.findIndex((e) => e.type === "pipeline_complete"));
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect((await run.result).final).toBe("answer: answer: one two");
  });

  it("stream()'s pipeline run answers a Web Request with toSSEResponse", async () => {
    const response = stream(client, qa, { inputs: { question: "web" } }).toSSEResponse();
    await expect(readEvents<{ final: string }>(response).result).resolves.toMatchObject({ final: "answer: answer: web" });
  });

  it("a client that leaves mid-pipeline cancels the Python run, even while the worker is silent", async () => {
    const before = await describeWorker();
    const response = await fetch(`${url}/?q=slow`); // the LM waits 20 s before its first token
    await waitFor(async () => (await describeWorker()).activeRuns === 1, 10_000);
    await response.body!.cancel();
    await waitFor(async () => {
      const now = await describeWorker();
      return now.activeRuns === 0 && now.busyThreads === 0 && now.runsCancelled > before.runsCancelled;
    }, 5_000);
  });
});
