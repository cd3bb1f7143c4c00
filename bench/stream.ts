// Streaming through the pool (TS -> connect-node -> UDS -> grpc.aio -> event channel fed by a
// DSPy thread, frames batched when the reader lags) beside a raw grpcio server that writes one
// message per event (bench/stream_baseline.py), read by the same connect-node client, same run.
import type { RunRequest } from "@dspy-connect/core-proto";
import { executeStream, streamPredict } from "@dspy-connect/streaming";
import {
  benchEnv,
  firstEventLatencies,
  fmt,
  python,
  root,
  rssMiB,
  run,
  scriptedClient,
  startRawBaseline,
  summary,
  tsRssMiB,
} from "./lib.ts";

const N = Number(process.env.BENCH_N ?? 500);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const tsRss = tsRssMiB;

// ---- baseline server ----
const baseline = await startRawBaseline();
const raw = baseline.client;
const ready = { pid: baseline.pid };
async function* once(start: RunRequest["kind"]["value"]) {
  yield { kind: { case: "start" as const, value: start as never } };
  await new Promise(() => undefined); // keep the request side open, as a real run does
}
async function rawRun(command: string, args: object, onFirst?: () => void): Promise<number> {
  let events = 0;
  const controller = new AbortController();
  const start = { operation: { case: "command", value: { command, argsJson: new TextEncoder().encode(JSON.stringify(args)) } } };
  for await (const response of raw.run(once(start as never), { signal: controller.signal })) {
    if (response.kind.case === "events") {
      if (events === 0) onFirst?.();
      events += response.kind.value.events.length;
    } else if (response.kind.case === "done") break;
  }
  controller.abort();
  return events;
}

const client = await scriptedClient();
const workerPid = client.stats().workers[0]!.pid!;
const uncached = { model: "scripted/echo", cache: false } as const;
try {
  await streamPredict(client, "question -> answer", { question: "warm up" }).result;

  // ---- first-event latency ----
  const firstEvent = (open: () => AsyncIterable<unknown>) => firstEventLatencies(open, N);
  const firstToken = summary(await firstEvent(() => streamPredict(client, "question -> answer", { question: "hi" }, { lm: uncached })));
  const firstCustom = summary(await firstEvent(() => executeStream(client, "count", { to: 1 })));
  const rawFirst: number[] = [];
  for (let i = 0; i < N + 50; i++) {
    const t = performance.now();
    let first = 0;
    await rawRun("one", {}, () => (first = performance.now() - t));
    if (i >= 50) rawFirst.push(first);
  }
  const rawFirstS = summary(rawFirst);
  const direct = JSON.parse(await run(python, [`${root}/bench/streamify_direct.py`, String(N)], benchEnv));

  // ---- sustained throughput and memory ----
  const before = { ts: tsRss(), py: rssMiB(workerPid) };
  let t = performance.now();
  let received = 0;
  for await (const event of executeStream(client, "flood", { n: EVENTS })) if (event.type === "token") received++;
  const oursSeconds = (performance.now() - t) / 1000;
  const after = { ts: tsRss(), py: rssMiB(workerPid) };
  if (received !== EVENTS) throw new Error(`received ${received} of ${EVENTS}`);

  const rawBefore = { ts: tsRss(), py: rssMiB(ready.pid) };
  t = performance.now();
  const rawEvents = await rawRun("flood", { n: EVENTS });
  const rawSeconds = (performance.now() - t) / 1000;
  const rawAfter = { ts: tsRss(), py: rssMiB(ready.pid) };

  const rate = (n: number, s: number) => Math.round(n / s).toLocaleString("en-US");
  console.log(`first-event latency, ${N} sequential runs on a warm pool (ms)`);
  console.log("| what | p50 | p99 |");
  console.log("|---|---|---|");
  console.log(
    `| streamPredict, first token (DSPy Predict + LiteLLM stream, instant scripted LM) | ${fmt(firstToken.p50)} | ${fmt(firstToken.p99)} |`,
  );
  console.log(`| executeStream, first custom event (no DSPy) | ${fmt(firstCustom.p50)} | ${fmt(firstCustom.p99)} |`);
  console.log(`| baseline: raw grpcio Run, first event | ${fmt(rawFirstS.p50)} | ${fmt(rawFirstS.p99)} |`);
  console.log(`| baseline: dspy.streamify in-process, first token (no bridge) | ${fmt(direct.p50)} | ${fmt(direct.p99)} |`);
  console.log("");
  console.log(`sustained events from one worker, ${EVENTS.toLocaleString("en-US")} token events`);
  console.log("| what | events/s | seconds | TS RSS before → after (MiB) | Python RSS before → after (MiB) |");
  console.log("|---|---|---|---|---|");
  console.log(
    `| dspy-connect stream (frames batched) | ${rate(EVENTS, oursSeconds)} | ${oursSeconds.toFixed(2)} | ${before.ts.toFixed(0)} → ${after.ts.toFixed(0)} | ${before.py.toFixed(0)} → ${after.py.toFixed(0)} |`,
  );
  console.log(
    `| baseline: raw grpcio, one message per event | ${rate(rawEvents, rawSeconds)} | ${rawSeconds.toFixed(2)} | ${rawBefore.ts.toFixed(0)} → ${rawAfter.ts.toFixed(0)} | ${rawBefore.py.toFixed(0)} → ${rawAfter.py.toFixed(0)} |`,
  );
} finally {
  await client.close();
  baseline.stop();
}
