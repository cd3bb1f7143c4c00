// Token latency to a web page (issue 18): from the worker emitting a token to the browser's
// DOM showing it (apps/web's Ask panel in Debian's Chromium), beside the same stream read in
// Node, in the same run: over the same SSE route (readEvents), and straight from the pool
// (RunStream, no HTTP).
//
// Clocks: a token's `time` is ms since the worker started the run (worker clock). All three
// processes run on this machine and read the same wall clock, so each reader stamps arrivals
// as performance.timeOrigin + performance.now() (epoch ms, sub-ms), and a token was emitted
// at runStart + time, where runStart is stamped in Node just before the run is opened (the
// Ask route for HTTP reads, the call for the pool). The worker's run starts a little later
// than that stamp, so every latency here is an upper bound by the same start-up hop (the
// in-process column shows its size). The scripted LM waits BENCH_TOKEN_MS between chunks,
// so each token is its own SSE message and DOM update.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { streamChainOfThought } from "@dspy-connect/streaming";
import { fetchStream } from "@dspy-connect/streaming/web";
import { chromium } from "playwright-core";
import { webApp } from "../apps/web/src/server/app.ts";
import { openCities } from "../apps/web/src/server/cities.ts";
import { serveApp } from "../apps/web/src/server/serve.ts";
import { fmt, root, scriptedClient, summary } from "./lib.ts";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const TOKEN_MS = Number(process.env.BENCH_TOKEN_MS ?? 20);
const pageDir = join(root, "apps", "web", "dist");
const chromiumPath = (process.env.CHROMIUM_PATH ? [process.env.CHROMIUM_PATH] : ["/usr/bin/chromium", "/usr/bin/chromium-browser"]).find(
  (p) => existsSync(p),
);
if (!chromiumPath) {
  console.log("web-latency: skipped, no Chromium (apt-get install -y chromium, or set CHROMIUM_PATH)");
  process.exit(0);
}
if (!existsSync(join(pageDir, "index.html")))
  throw new Error("apps/web is not built: pnpm exec turbo run build --filter=@dspy-connect/example-web...");

const epoch = () => performance.timeOrigin + performance.now();
const question = Array.from({ length: 12 }, (_, i) => `word${i}`).join(" ");

const client = await scriptedClient({ lm: `scripted/tokens-${TOKEN_MS}` });
const db = openCities();
// The app's own routes, with the time each Ask run is opened noted first (runs go one at a time).
let runStart = 0;
const app = webApp(client, db, { pageDir });
const timed = {
  fetch: (request: Request) => {
    if (new URL(request.url).pathname === "/api/ask") runStart = epoch();
    return app.fetch(request);
  },
};
const served = await serveApp(timed, 0);
const browser = await chromium.launch({ executablePath: chromiumPath, args: process.getuid?.() === 0 ? ["--no-sandbox"] : [] });

// In the page: every change of an output's `data-token` ("seq time"), stamped when the
// MutationObserver sees it (the DOM is updated; paint follows within a frame). Old values
// recover tokens that landed in the same observer callback.
const observe = `(() => {
  const seen = (window.__tokens = []);
  const last = new Map();
  new MutationObserver((records) => {
    const at = performance.timeOrigin + performance.now();
    const values = [];
    for (const r of records) {
      if (r.oldValue && last.get(r.target) !== r.oldValue) values.push(r.oldValue);
      last.set(r.target, r.target.dataset.token);
    }
    for (const r of records) values.push(r.target.dataset.token);
    for (const v of new Set(values)) if (v) { const [seq, time] = v.split(" ").map(Number); seen.push({ seq, time, at }); }
  }).observe(document.getElementById("ask"), { subtree: true, attributes: true, attributeFilter: ["data-token"], attributeOldValue: true });
})()`;

type Sample = { first: number; all: number[] };
const latencies = (tokens: { seq: number; time: number; at: number }[], start: number): Sample => {
  const bySeq = [...new Map(tokens.map((t) => [t.seq, t])).values()].sort((a, b) => a.seq - b.seq);
  const all = bySeq.map((t) => t.at - (start + t.time));
  return { first: all[0]!, all };
};

const results = { browser: [] as Sample[], node: [] as Sample[], pool: [] as Sample[] };
try {
  const page = await browser.newPage();
  await page.goto(served.url);
  await page.waitForSelector("body[data-ready=true]");
  await page.fill("#ask-question", question);
  for (let round = -1; round < ROUNDS; round++) {
    // Browser: the Ask panel, as a user clicks it.
    await page.reload();
    await page.waitForSelector("body[data-ready=true]");
    await page.fill("#ask-question", question);
    await page.evaluate(observe);
    await page.click("#ask-run");
    await page.waitForFunction(
      () =>
        (globalThis as { document?: { getElementById(id: string): { dataset: { state?: string } } } }).document!.getElementById("ask")
          .dataset.state !== "running",
    );
    const inPage = (await page.evaluate("window.__tokens")) as { seq: number; time: number; at: number }[];
    const browserSample = latencies(inPage, runStart);

    // Node, the same route and reader the page uses.
    const nodeTokens: { seq: number; time: number; at: number }[] = [];
    const overHttp = fetchStream(`${served.url}/api/ask`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ question }),
    });
    for await (const event of overHttp) if (event.type === "token") nodeTokens.push({ seq: event.seq, time: event.time, at: epoch() });
    const nodeSample = latencies(nodeTokens, runStart);

    // Node, straight from the pool (no HTTP).
    const poolTokens: { seq: number; time: number; at: number }[] = [];
    const poolStart = epoch();
    for await (const event of streamChainOfThought(client, "question -> answer", { question })) {
      if (event.type === "token") poolTokens.push({ seq: event.seq, time: event.time, at: epoch() });
    }
    const poolSample = latencies(poolTokens, poolStart);

    if (round < 0) continue; // a warm-up round: first page load, first runs
    results.browser.push(browserSample);
    results.node.push(nodeSample);
    results.pool.push(poolSample);
  }
} finally {
  await browser.close();
  await served.close();
  await client.close();
  db.close();
}

const row = (what: string, samples: Sample[]) => {
  const first = summary(samples.map((s) => s.first));
  const all = summary(samples.flatMap((s) => s.all));
  return `| ${what} | ${fmt(first.p50)} | ${fmt(first.p99)} | ${fmt(all.p50)} | ${fmt(all.p99)} | ${all.n} |`;
};
console.log(`\nWorker token -> reader, ${ROUNDS} runs of chain of thought, ${TOKEN_MS} ms between tokens (ms):\n`);
console.log("| reader | first token p50 | first token p99 | every token p50 | every token p99 | tokens |");
console.log("| --- | --- | --- | --- | --- | --- |");
console.log(row("Chromium DOM update (Hono route, SSE, fetchStream, Ask panel)", results.browser));
console.log(row("Node, same route (SSE over HTTP, fetchStream)", results.node));
console.log(row("Node, RunStream from the pool (no HTTP)", results.pool));
