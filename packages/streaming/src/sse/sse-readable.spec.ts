import { describe, expect, it } from "vitest";
import type { StreamEvent } from "../stream/event-types.js";
import { RunStream } from "../stream/run-stream.js";
import { readEvents } from "../web/read-events.js";

// The SSE encoding and the browser reader against each other, on hand-made event sources
// (the worker-backed paths are in test/sse-*.spec.ts).
const done = (seq: number, result: unknown): StreamEvent => ({
  type: "done",
  seq,
  time: 1,
  result,
  usage: { promptTokens: 0, completionTokens: 0, totalTokens: 0 },
});
const decode = (chunk: Uint8Array) => new TextDecoder().decode(chunk);

async function* events(...list: StreamEvent[]): AsyncGenerator<StreamEvent> {
  yield* list;
}

describe("toSSEResponse and readEvents", () => {
  it("round-trips the events; a field that is undefined comes back undefined", async () => {
    const trial: StreamEvent = { type: "trial", seq: 1, time: 0.5, kind: "trial", trial: 1, total: 2, score: undefined, details: {} };
    const response = new RunStream(events(trial, done(2, { answer: "a" }))).toSSEResponse({ headers: { "x-extra": "1" } });
    expect(response.headers.get("x-extra")).toBe("1");
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    const read: StreamEvent[] = [];
    const run = readEvents(response);
    for await (const event of run) read.push(event);
    expect(read).toEqual([trial, done(2, { answer: "a" })]);
    expect(read[0]!.type === "trial" && read[0]!.score).toBeUndefined();
    await expect(run.result).resolves.toEqual({ answer: "a" });
  });

  it("a value JSON cannot carry errors the stream and cancels the run", async () => {
    let cancelled = 0;
    const bad: StreamEvent = { type: "custom", seq: 1, time: 0, name: "n", data: 1n };
    const reader = new RunStream(events(bad, done(2, null)), undefined, () => cancelled++).toSSEStream().getReader();
    await expect(reader.read()).rejects.toThrow(TypeError);
    expect(cancelled).toBe(1);
  });

  it("sends keepalive comments only while waiting on the run", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    async function* slow(): AsyncGenerator<StreamEvent> {
      await held; // the run says nothing until the test has seen a keepalive
      yield done(1, "late");
    }
    const reader = new RunStream(slow()).toSSEStream({ keepAliveMs: 5 }).getReader();
    expect(decode((await reader.read()).value!)).toBe(": keepalive\n\n");
    release();
    const rest: string[] = [];
    for (let next = await reader.read(); !next.done; next = await reader.read()) rest.push(decode(next.value));
    expect(rest.at(-1)).toBe(`id: 1\ndata: ${JSON.stringify(done(1, "late"))}\n\n`);
    expect(rest.slice(0, -1).every((chunk) => chunk === ": keepalive\n\n")).toBe(true);
  });
});

describe("readEvents on what is not a finished run", () => {
  it("a body that ends before the terminal event ends with Unavailable", async () => {
    const body = `id: 1\ndata: ${JSON.stringify({ type: "status", seq: 1, time: 0, message: "m" })}\n\n`;
    const run = readEvents(new Response(body, { headers: { "content-type": "text/event-stream" } }));
    const read: StreamEvent[] = [];
    for await (const event of run) read.push(event);
    expect(read.map((e) => e.type)).toEqual(["status", "error"]);
    expect(read[1]).toMatchObject({ seq: 2, code: 14, cause: "Unavailable" });
    await expect(run.result).rejects.toMatchObject({ name: "RunError", code: 14 });
  });

  it("a body already read is an error event, not a throw", async () => {
    const response = new Response("id: 1\ndata: {}\n\n", { headers: { "content-type": "text/event-stream" } });
    await response.text();
    await expect(readEvents(response).result).rejects.toMatchObject({ name: "RunError", code: 2 });
  });

  it("an HTTP error status becomes its code, a body that is not SSE an Unknown error", async () => {
    await expect(readEvents(new Response("gone", { status: 404 })).result).rejects.toMatchObject({
      code: 5,
      message: expect.stringContaining("404"),
    });
    await expect(readEvents(new Response("{}", { headers: { "content-type": "application/json" } })).result).rejects.toMatchObject({
      code: 2,
      message: expect.stringContaining("application/json"),
    });
  });
});
