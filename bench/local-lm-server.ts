// The local LM server on its own, over its OpenAI API with plain fetch: startup, first token
// cold and warm, tokens/s, 2 and 4 concurrent streams, RSS. One column per server, same run.
//   node bench/local-lm-server.ts --server baseline [--server new]
//   node bench/local-lm-server.ts --server baseline --server new --server "new:--slots 2"
// baseline: the llama-cpp-python server this project used before (bench/baseline/; make its
//   venv with bash bench/baseline/setup.sh, which compiles llama.cpp). new: @dspy-connect/local-lm
//   with its defaults; new:ARGS adds server arguments (bench/lm-server-process.ts).
// Every request is the one a `question -> answer` ChainOfThought sends the local model
// (bench/local_lm_requests.py), streamed; each question is asked once, so no reply is cached.
import { existsSync } from "node:fs";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { python, root, run, summary, treeRssMiB } from "./lib.ts";
import { type Server, startServer, stopServer } from "./lm-server-process.ts";
import { QUESTIONS } from "./questions.ts";

const WARM = 8;

interface Stream {
  firstMs: number; // request sent → first content delta
  endMs: number; // request sent → stream closed
  tokens: number;
  tokensPerS: number; // completion tokens / (last delta − first delta)
  tokensFrom: "usage" | "deltas";
  deltas: number; // content chunks: fewer than tokens if the server sends several tokens per chunk
  finishReason: string | null;
  done: boolean; // saw `data: [DONE]`
  validJson: boolean;
  text: string;
}

/** One streamed chat completion; times are from `t0` (the request's own start by default). */
async function stream(server: Server, body: object, t0 = performance.now()): Promise<Stream> {
  const request = { ...body, model: server.model, stream: true, stream_options: { include_usage: true } };
  const res = await fetch(`${server.apiBase}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(request),
  });
  if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
  let first = 0;
  let last = 0;
  let deltas = 0;
  let text = "";
  let usage: number | undefined;
  let finishReason: string | null = null;
  let done = false;
  let buffer = "";
  const decoder = new TextDecoder();
  for await (const bytes of res.body) {
    const now = performance.now();
    buffer += decoder.decode(bytes, { stream: true });
    const lines = buffer.split("\n");
    buffer = lines.pop()!;
    for (const line of lines.map((l) => l.trim())) {
      if (!line.startsWith("data:")) continue; // blank lines, `: ping` comments
      const data = line.slice(5).trim();
      if (data === "[DONE]") {
        done = true;
        continue;
      }
      const chunk = JSON.parse(data);
      const choice = chunk.choices?.[0];
      if (choice?.delta?.content) {
        first ||= now;
        last = now;
        deltas++;
        text += choice.delta.content;
      }
      if (choice?.finish_reason) finishReason = choice.finish_reason;
      if (chunk.usage) usage = chunk.usage.completion_tokens;
    }
  }
  const end = performance.now();
  // llama-cpp-python sends no usage when streaming: count its deltas (one per token here).
  const tokens = usage ?? deltas;
  let validJson = false;
  try {
    const out = JSON.parse(text);
    validJson = typeof out.reasoning === "string" && typeof out.answer === "string";
  } catch {}
  return {
    firstMs: first - t0,
    endMs: end - t0,
    tokens,
    tokensPerS: last > first ? tokens / ((last - first) / 1000) : Number.NaN,
    tokensFrom: usage === undefined ? "deltas" : "usage",
    deltas,
    finishReason,
    done,
    validJson,
    text,
  };
}

const sum = (streams: Stream[], key: "tokens" | "deltas") => streams.reduce((a, s) => a + s[key], 0);
const complete = (s: Stream) => s.done && s.finishReason !== null && s.validJson;

/** `bodies.length` streams started together; aggregate tokens/s over the wall time to the last end. */
async function concurrent(server: Server, bodies: object[]) {
  const t0 = performance.now();
  const streams = await Promise.all(bodies.map((body) => stream(server, body, t0)));
  const first = summary(streams.map((s) => s.firstMs));
  return {
    aggregateTokensPerS: sum(streams, "tokens") / (Math.max(...streams.map((s) => s.endMs)) / 1000),
    firstTokenP50Ms: first.p50,
    firstTokenMaxMs: Math.max(...streams.map((s) => s.firstMs)),
    complete: streams.filter(complete).length,
    streams,
  };
}

async function measure(name: string, bodies: object[]) {
  const t0 = performance.now();
  const server = await startServer(name);
  const startupS = (performance.now() - t0) / 1000;
  try {
    const cold = await stream(server, bodies[0]!);
    const warm: Stream[] = [];
    for (const body of bodies.slice(1, 1 + WARM)) warm.push(await stream(server, body));
    const two = await concurrent(server, bodies.slice(1 + WARM, 3 + WARM));
    const four = await concurrent(server, bodies.slice(3 + WARM, 7 + WARM));
    return {
      server: name,
      model: server.model,
      startupS,
      coldFirstTokenMs: cold.firstMs,
      warmFirstTokenP50Ms: summary(warm.map((s) => s.firstMs)).p50,
      tokensPerSP50: summary(warm.map((s) => s.tokensPerS)).p50,
      meanTokens: sum([cold, ...warm], "tokens") / (1 + warm.length),
      sequentialComplete: [cold, ...warm].filter(complete).length,
      two,
      four,
      rssMiB: treeRssMiB(server.child.pid!),
      tokensFrom: cold.tokensFrom,
      cold,
      warm,
    };
  } catch (error) {
    console.error(`${name} stderr (tail):\n${server.stderrTail()}`);
    throw error;
  } finally {
    await stopServer(server);
  }
}

const { values } = parseArgs({ options: { server: { type: "string", multiple: true } } });
// By default: the baseline (if its venv was made), then the new server.
const names = values.server ?? [...(existsSync(`${root}/.bench/llama-cpp-python/bin/python`) ? ["baseline"] : []), "new"];
const questions = QUESTIONS.slice(0, 1 + WARM + 2 + 4); // each asked once
const bodies = JSON.parse(await run(python, [`${root}/bench/local_lm_requests.py`, JSON.stringify(questions)])) as object[];
const loadBefore = loadavg();
const results = [];
for (const name of names) results.push(await measure(name, bodies));
const loadAfter = loadavg();

type Result = (typeof results)[number];
const n = (x: number, digits = 0) => x.toFixed(digits);
const firsts = (streams: Stream[]) => streams.map((s) => n(s.firstMs)).join(", ");
const rows: [string, (r: Result) => string][] = [
  ["startup: spawn → ready line (s)", (r) => n(r.startupS, 2)],
  ["first token, cold: first request after ready (ms)", (r) => n(r.coldFirstTokenMs)],
  [`first token, warm: p50 of the next ${WARM} (ms)`, (r) => n(r.warmFirstTokenP50Ms)],
  [`tokens/s of one stream, p50 of ${WARM}`, (r) => n(r.tokensPerSP50, 1)],
  ["completion tokens per answer (mean)", (r) => n(r.meanTokens, 1)],
  ["2 streams at once: aggregate tokens/s", (r) => n(r.two.aggregateTokensPerS, 1)],
  [
    "2 streams at once: first token p50 / max (each stream) (ms)",
    (r) => `${n(r.two.firstTokenP50Ms)} / ${n(r.two.firstTokenMaxMs)} (${firsts(r.two.streams)})`,
  ],
  ["4 streams at once: aggregate tokens/s", (r) => n(r.four.aggregateTokensPerS, 1)],
  [
    "4 streams at once: first token p50 / max (each stream) (ms)",
    (r) => `${n(r.four.firstTokenP50Ms)} / ${n(r.four.firstTokenMaxMs)} (${firsts(r.four.streams)})`,
  ],
  [
    "streams finished with finish_reason, [DONE] and valid JSON",
    (r) => `${r.sequentialComplete + r.two.complete + r.four.complete}/${1 + WARM + 2 + 4}`,
  ],
  ["server RSS after the runs, process tree (MiB)", (r) => n(r.rssMiB)],
  ["completion tokens counted from", (r) => r.tokensFrom],
  [
    "content chunks / completion tokens, one-at-a-time streams",
    (r) => `${sum([r.cold, ...r.warm], "deltas")} / ${sum([r.cold, ...r.warm], "tokens")}`,
  ],
];
console.log(`| what | ${results.map((r) => `${r.server} (${r.model})`).join(" | ")} |`);
console.log(`|---|${results.map(() => "---").join("|")}|`);
for (const [label, cell] of rows) console.log(`| ${label} | ${results.map(cell).join(" | ")} |`);
console.log(
  `\nload average (1/5/15 min) before: ${loadBefore.map((x) => x.toFixed(2)).join(" ")}, after: ${loadAfter.map((x) => x.toFixed(2)).join(" ")}`,
);
console.log(JSON.stringify({ loadBefore, loadAfter, results }));
