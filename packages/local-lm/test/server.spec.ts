import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
// The built package, as the client runs it (src/ holds no runnable cli.js).
import { READY_PREFIX, serverEntry } from "@dspy-connect/local-lm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The real server on the real (smallest) model over real HTTP: structure, never wording.
let server: ChildProcess;
let base: string;

beforeAll(async () => {
  server = spawn(process.execPath, [serverEntry, "serve", "--model", "smollm2-135m-instruct", "--slots", "2", "--exit-with-stdin"], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines = createInterface({ input: server.stdout! });
  for await (const line of lines) {
    if (line.startsWith(READY_PREFIX)) {
      base = (JSON.parse(line.slice(READY_PREFIX.length)) as { api_base: string }).api_base;
      break;
    }
  }
  if (!base) throw new Error(`the server exited before it was ready (${server.exitCode})`);
}, 300_000);
afterAll(() => server?.stdin?.end());

const question = [
  { role: "system", content: "Answer the question." },
  { role: "user", content: "What is the capital of France?" },
];

function post(body: unknown, init: RequestInit = {}) {
  return fetch(`${base}/chat/completions`, { method: "POST", body: JSON.stringify(body), ...init });
}

interface Chunk {
  choices: { delta: { content?: string }; finish_reason: string | null }[];
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

/** The SSE data lines of a streamed reply, [DONE] included. */
async function events(reply: Response): Promise<string[]> {
  const text = await reply.text();
  return text
    .split("\n\n")
    .filter((block) => block.startsWith("data: "))
    .map((block) => block.slice(6));
}

function content(data: string[]): string {
  return data
    .filter((d) => d !== "[DONE]")
    .map((d) => (JSON.parse(d) as Chunk).choices[0]?.delta.content ?? "")
    .join("");
}

const health = async () => (await (await fetch(new URL("/health", base))).json()) as { busy: number; queued: number; slots: number };

describe("the local LM server", () => {
  it("lists its model and answers /health", async () => {
    const models = (await (await fetch(`${base}/models`)).json()) as { data: { id: string }[] };
    expect(models.data.map((m) => m.id)).toEqual(["smollm2-135m-instruct"]);
    expect(await health()).toEqual({ status: "ok", slots: 2, busy: 0, queued: 0 });
  });

  it("answers a chat completion with usage counts", async () => {
    const reply = await post({ messages: question, max_tokens: 24 });
    expect(reply.status).toBe(200);
    const body = (await reply.json()) as {
      choices: { message: { role: string; content: string }; finish_reason: string }[];
      usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
    };
    expect(body.choices[0]!.message.role).toBe("assistant");
    expect(body.choices[0]!.message.content.trim()).not.toBe("");
    expect(body.usage.prompt_tokens).toBeGreaterThan(10);
    expect(body.usage.completion_tokens).toBeGreaterThan(0);
    expect(body.usage.completion_tokens).toBeLessThanOrEqual(24);
    expect(body.usage.total_tokens).toBe(body.usage.prompt_tokens + body.usage.completion_tokens);
  });

  it("streams deltas, then the finish reason, usage and [DONE]; the same text as unstreamed", async () => {
    const whole = (await (await post({ messages: question, max_tokens: 16 })).json()) as { choices: { message: { content: string } }[] };
    const reply = await post({ messages: question, max_tokens: 16, stream: true, stream_options: { include_usage: true } });
    expect(reply.headers.get("content-type")).toBe("text/event-stream");
    const data = await events(reply);
    expect(data.at(-1)).toBe("[DONE]");
    const usage = JSON.parse(data.at(-2)!) as Chunk;
    expect(usage.choices).toEqual([]);
    expect(usage.usage!.completion_tokens).toBeGreaterThan(0);
    expect((JSON.parse(data.at(-3)!) as Chunk).choices[0]!.finish_reason).toMatch(/^(stop|length)$/);
    expect(content(data)).toBe(whole.choices[0]!.message.content); // greedy: the same tokens
  });

  it("reuses a slot's KV cache for a prompt that shares its prefix (cached_tokens)", async () => {
    const system = { role: "system", content: "You answer geography questions in one word. ".repeat(12) };
    type Reply = { usage: { prompt_tokens: number; prompt_tokens_details: { cached_tokens: number } } };
    const ask = async (country: string) =>
      ((await (await post({ messages: [system, { role: "user", content: `Capital of ${country}?` }], max_tokens: 4 })).json()) as Reply)
        .usage;
    await ask("Peru");
    const second = await ask("Chile");
    // The whole system prompt (and the template around it) came from the cache.
    expect(second.prompt_tokens_details.cached_tokens).toBeGreaterThan(100);
    expect(second.prompt_tokens_details.cached_tokens).toBeLessThan(second.prompt_tokens);
  });

  it("stops at max_tokens with finish_reason length, and at a stop sequence", async () => {
    const long = (await (
      await post({ messages: [{ role: "user", content: "Count from 1 to 100, one number per line." }], max_tokens: 5 })
    ).json()) as {
      choices: { finish_reason: string }[];
      usage: { completion_tokens: number };
    };
    expect(long.choices[0]!.finish_reason).toBe("length");
    expect(long.usage.completion_tokens).toBe(5);
    // Greedy decoding repeats itself: a word from the middle of the free reply must end the stopped one.
    const ask = { messages: [{ role: "user", content: "List five fruits." }], max_tokens: 40 };
    const free = ((await (await post(ask)).json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content;
    const stop = free.trim().split(/\s+/)[3]!;
    const stopped = (await (await post({ ...ask, stop: [stop] })).json()) as {
      choices: { message: { content: string }; finish_reason: string }[];
    };
    expect(stopped.choices[0]!.finish_reason).toBe("stop");
    expect(stopped.choices[0]!.message.content).toBe(free.slice(0, free.indexOf(stop)));
  });

  it("constrains the reply to a JSON schema (DSPy's outputs, an agent's tool choice)", async () => {
    const schema = {
      anyOf: ["search", "finish"].map((tool) => ({
        type: "object",
        properties: { next_thought: { type: "string", maxLength: 80 }, next_tool_name: { const: tool }, count: { type: "integer" } },
        required: ["next_thought", "next_tool_name", "count"],
      })),
    };
    const reply = await post({
      messages: question,
      max_tokens: 120,
      response_format: { type: "json_schema", json_schema: { name: "step", schema } },
    });
    const text = ((await reply.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content;
    const step = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(step).sort()).toEqual(["count", "next_thought", "next_tool_name"]);
    expect(["search", "finish"]).toContain(step.next_tool_name);
    expect(Number.isInteger(step.count)).toBe(true);
  });

  it("queues requests beyond its slots and finishes every stream", async () => {
    const replies = Array.from({ length: 5 }, (_, i) =>
      post({ messages: [{ role: "user", content: `Name a color, number ${i}.` }], max_tokens: 12, stream: true }).then(events),
    );
    // /health never waits for the model: it reports the slots in use while they generate.
    let seen = { busy: 0, queued: 0, slots: 2 };
    for (let i = 0; i < 100 && seen.busy === 0; i++) seen = await health();
    expect(seen.busy).toBeGreaterThan(0);
    for (const data of await Promise.all(replies)) {
      expect(data.at(-1)).toBe("[DONE]");
      expect((JSON.parse(data.at(-2)!) as Chunk).choices[0]!.finish_reason).toMatch(/^(stop|length)$/);
    }
  });

  it("stops generating when the client goes away, and frees the slot", async () => {
    const controller = new AbortController();
    const reply = await post(
      { messages: [{ role: "user", content: "Write a long story about a lighthouse." }], max_tokens: 2000, stream: true },
      { signal: controller.signal },
    );
    const reader = reply.body!.getReader();
    await reader.read(); // the first chunk: generation is under way
    controller.abort();
    let now = await health();
    for (let i = 0; i < 200 && now.busy > 0; i++) {
      await new Promise((r) => setTimeout(r, 25));
      now = await health();
    }
    expect(now).toMatchObject({ busy: 0, queued: 0 });
  });

  it.each([
    ["a body that is not JSON", "{nope", 400, /not JSON/],
    ["no messages", { messages: [] }, 400, /messages/],
    ["n > 1", { messages: question, n: 2 }, 400, /n = 1/],
    [
      "a schema with a remote $ref",
      { messages: question, response_format: { type: "json_schema", json_schema: { schema: { $ref: "https://x/y" } } } },
      400,
      /grammar/,
    ],
    ["a reply longer than the context", { messages: question, max_tokens: 1_000_000 }, 400, /context length exceeded/],
  ])("answers %s with a typed error", async (_, body, status, message) => {
    const reply = await fetch(`${base}/chat/completions`, { method: "POST", body: typeof body === "string" ? body : JSON.stringify(body) });
    expect(reply.status).toBe(status);
    const error = ((await reply.json()) as { error: { message: string; type: string } }).error;
    expect(error.type).toBe("invalid_request_error");
    expect(error.message).toMatch(message);
  });

  it("answers unknown paths with 404, wrong methods with 405 and oversized bodies with 413", async () => {
    expect((await fetch(`${base}/completions`, { method: "POST", body: "{}" })).status).toBe(404);
    expect((await fetch(`${base}/chat/completions`)).status).toBe(405);
    expect((await post({ messages: [{ role: "user", content: "x".repeat(9 * 1024 * 1024) }] })).status).toBe(413);
    expect((await health()).slots).toBe(2); // still up
  });
});
