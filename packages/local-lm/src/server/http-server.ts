import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { chatMessages, chatRequestSchema, requestedSchema, stopSequences } from "./chat-request.js";
import { type Engine, RequestRejected } from "./engine.js";
import { chatChunk, chatCompletion, completionId, type ErrorType, errorBody, usageChunk } from "./openai-shapes.js";

const MAX_BODY_BYTES = 8 * 1024 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: ErrorType = "invalid_request_error",
    readonly code: string | null = null,
  ) {
    super(message);
  }
}

/** The OpenAI-compatible subset DSPy and LiteLLM use, plus a `/health` that never waits. */
export function createHttpServer(engine: Engine, modelId: string, log: (line: string) => void): Server {
  return createServer((req, res) => {
    route(engine, modelId, req, res).catch((error: unknown) => {
      if (res.destroyed) return; // the client went away (its generation was aborted): no one to tell
      const failure =
        error instanceof HttpError ? error : new HttpError(500, `internal error: ${(error as Error).message}`, "server_error");
      if (failure.status >= 500) log(`local LM server: ${(error as Error).stack ?? String(error)}`);
      if (res.headersSent) {
        // Mid-stream: the client learns of it from an error event, then the end of the stream.
        if (!res.writableEnded) res.end(`data: ${JSON.stringify(errorBody(failure.message, failure.type, failure.code))}\n\n`);
        return;
      }
      sendJson(res, failure.status, errorBody(failure.message, failure.type, failure.code));
    });
  });
}

async function route(engine: Engine, modelId: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? "/", "http://localhost").pathname.replace(/\/+$/, "");
  if (path === "/health")
    return expect(req, "GET", () =>
      sendJson(res, 200, { status: "ok", slots: engine.slots.size, busy: engine.slots.busy, queued: engine.slots.queued }),
    );
  if (path === "/v1/models") {
    return expect(req, "GET", () =>
      sendJson(res, 200, { object: "list", data: [{ id: modelId, object: "model", created: 0, owned_by: "dspy-connect" }] }),
    );
  }
  if (path === "/v1/chat/completions") {
    if (req.method !== "POST") throw new HttpError(405, `${req.method} is not allowed here; use POST`);
    return chatCompletions(engine, modelId, await readJson(req), res);
  }
  throw new HttpError(
    404,
    `no route ${req.method} ${path}; this server has /v1/chat/completions, /v1/models and /health`,
    "not_found_error",
  );
}

async function chatCompletions(engine: Engine, modelId: string, body: unknown, res: ServerResponse) {
  const parsed = chatRequestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new HttpError(400, `${issue.path.join(".") || "body"}: ${issue.message}`);
  }
  const request = parsed.data;
  // The reply's generation stops when the caller goes away (closed socket, cancelled stream).
  const abort = new AbortController();
  res.on("close", () => abort.abort(new Error("the client closed the connection")));
  const id = completionId();
  const generateRequest = {
    messages: chatMessages(request),
    stop: stopSequences(request),
    jsonSchema: requestedSchema(request),
    signal: abort.signal,
    ...optional("maxTokens", request.max_completion_tokens ?? request.max_tokens),
    ...optional("temperature", request.temperature),
    ...optional("topP", request.top_p),
    ...optional("seed", request.seed),
  };

  if (!request.stream) {
    const generation = await generate(engine, generateRequest);
    return sendJson(res, 200, chatCompletion(id, modelId, generation));
  }
  let started = false;
  const start = () => {
    if (started) return;
    started = true;
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
    sendEvent(res, chatChunk(id, modelId, { role: "assistant", content: "" }));
  };
  const generation = await generate(engine, {
    ...generateRequest,
    onText: (text) => {
      start();
      sendEvent(res, chatChunk(id, modelId, { content: text }));
    },
  });
  start();
  sendEvent(res, chatChunk(id, modelId, {}, generation.finishReason));
  if (request.stream_options?.include_usage) sendEvent(res, usageChunk(id, modelId, generation));
  res.end("data: [DONE]\n\n");
}

async function generate(engine: Engine, request: Parameters<Engine["generate"]>[0]) {
  try {
    return await engine.generate(request);
  } catch (error) {
    if (error instanceof RequestRejected) {
      const code = error.message.includes("context length") ? "context_length_exceeded" : null;
      throw new HttpError(400, error.message, "invalid_request_error", code);
    }
    throw error;
  }
}

function optional<K extends string, V>(key: K, value: V | null | undefined): { [P in K]?: V } {
  return (value == null ? {} : { [key]: value }) as { [P in K]?: V };
}

function expect(req: IncomingMessage, method: string, handle: () => void): void {
  if (req.method !== method) throw new HttpError(405, `${req.method} is not allowed here; use ${method}`);
  handle();
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `the request body is over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch (error) {
    throw new HttpError(400, `the request body is not JSON: ${(error as Error).message}`);
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function sendEvent(res: ServerResponse, body: unknown): void {
  if (!res.writableEnded) res.write(`data: ${JSON.stringify(body)}\n\n`);
}
