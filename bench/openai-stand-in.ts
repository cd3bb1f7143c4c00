// A stand-in OpenAI-compatible chat server on loopback for bench/concurrency.ts: it streams each
// completion as `chunks` SSE chunks `delayMs` apart (the first at once), in the text format
// DSPy's ChatAdapter parses for ChainOfThought, then usage (stream_options.include_usage) and
// [DONE]. A model name ending in `-<chunks>x<delay>ms` overrides both for that request.
//   node bench/openai-stand-in.ts --chunks 18 --delay-ms 25
// Prints {"apiBase", "pid"} once listening; exits when its stdin closes.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import { replyChunks } from "./stand-in-reply.ts";

const { values } = parseArgs({
  options: {
    chunks: { type: "string", default: "18" },
    "delay-ms": { type: "string", default: "25" },
    host: { type: "string", default: "127.0.0.1" },
  },
});
const defaults = { chunks: Number(values.chunks), delayMs: Number(values["delay-ms"]) };
function shape(model: string) {
  const m = /-(\d+)x(\d+)ms$/.exec(model);
  return m ? { chunks: Number(m[1]), delayMs: Number(m[2]) } : defaults;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function complete(req: IncomingMessage, res: ServerResponse): Promise<void> {
  let body = "";
  for await (const data of req) body += data;
  const request = JSON.parse(body) as { model: string; stream?: boolean; stream_options?: { include_usage?: boolean } };
  const { chunks, delayMs } = shape(request.model);
  const pieces = replyChunks(chunks);
  const id = `chatcmpl-${Math.random().toString(36).slice(2)}`;
  const created = Math.floor(Date.now() / 1000);
  const usage = { prompt_tokens: 100, completion_tokens: pieces.length, total_tokens: 100 + pieces.length };
  const base = { id, created, model: request.model, system_fingerprint: null };
  if (!request.stream) {
    await sleep(delayMs * (pieces.length - 1));
    const message = { role: "assistant", content: pieces.join("") };
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ ...base, object: "chat.completion", choices: [{ index: 0, message, finish_reason: "stop" }], usage }));
    return;
  }
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  const send = (chunk: object) => res.write(`data: ${JSON.stringify({ ...base, object: "chat.completion.chunk", ...chunk })}\n\n`);
  for (const [i, piece] of pieces.entries()) {
    if (i > 0) await sleep(delayMs);
    const last = i === pieces.length - 1;
    const delta = i === 0 ? { role: "assistant", content: piece } : { content: piece };
    send({ choices: [{ index: 0, delta, finish_reason: last ? "stop" : null }] });
  }
  if (request.stream_options?.include_usage) send({ choices: [], usage });
  res.end("data: [DONE]\n\n");
}

const server = createServer((req, res) => {
  if (req.method !== "POST" || !req.url?.endsWith("/chat/completions")) {
    res.writeHead(404).end();
    return;
  }
  complete(req, res).catch((error: unknown) => {
    if (!res.headersSent) res.writeHead(400, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: { message: String(error) } }));
  });
});
// LiteLLM's HTTP clients keep connections open between requests: never close one under them.
server.keepAliveTimeout = 600_000;
server.headersTimeout = 601_000;
// --host: an address other machines (network namespaces: bench/scale-out.ts) can reach.
server.listen(0, values.host, () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ apiBase: `http://${values.host}:${port}/v1`, pid: process.pid })}\n`);
});
process.stdin.resume();
process.stdin.once("end", () => process.exit(0));
