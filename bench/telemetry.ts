// What telemetry costs. Same worker, same run, three ways: no telemetry (the baseline: the
// client publishes to nobody), instrument() with no OpenTelemetry SDK (no-op tracer and
// meter: events and slow-chunk checks only), and instrument() with an SDK recording every
// span in memory. The worker has no SDK in all three (its own overhead: see docs).
import { executeStream, streamPredict } from "@dspy-connect/streaming";
import { instrument, type Telemetry } from "@dspy-connect/telemetry";
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { firstEventLatencies, fmt, scriptedClient, summary } from "./lib.ts";

const N = Number(process.env.BENCH_N ?? 500);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 300_000);
const client = await scriptedClient();
const uncached = { model: "scripted/echo", cache: false } as const;

const firstEvent = (open: () => AsyncIterable<unknown>) => firstEventLatencies(open, N);

async function measure(label: string, setup: () => Telemetry | undefined): Promise<string[]> {
  const telemetry = setup();
  try {
    const predict = summary(await firstEvent(() => streamPredict(client, "question -> answer", { question: "hi" }, { lm: uncached })));
    const bridge = summary(await firstEvent(() => executeStream(client, "count", { to: 1 })));
    const t = performance.now();
    let received = 0;
    for await (const event of executeStream(client, "flood", { n: EVENTS })) if (event.type === "token") received++;
    const perSecond = received / ((performance.now() - t) / 1000);
    return [label, fmt(predict.p50), fmt(predict.p99), fmt(bridge.p50), fmt(bridge.p99), perSecond.toFixed(0)];
  } finally {
    telemetry?.close();
  }
}

try {
  await streamPredict(client, "question -> answer", { question: "warm up" }).result;
  const spans = new InMemorySpanExporter();
  const sdkTracer = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] }).getTracer("bench");
  const rows = [
    await measure("baseline: no telemetry", () => undefined),
    await measure("instrument(), no OpenTelemetry SDK", () => instrument({ logger: { warn: () => undefined } })),
    await measure("instrument(), SDK recording spans in memory", () =>
      instrument({ tracer: sdkTracer, logger: { warn: () => undefined } }),
    ),
    await measure("baseline again: no telemetry", () => undefined),
  ];
  console.log(`\nTelemetry overhead, ${N} runs per latency column, ${EVENTS} events for throughput (ms, events/s)`);
  console.log("| what | streamPredict first token p50 | p99 | executeStream first event p50 | p99 | events/s |\n|---|---|---|---|---|---|");
  for (const row of rows) console.log(`| ${row.join(" | ")} |`);
  console.log(`(spans recorded by the SDK run: ${spans.getFinishedSpans().length})`);
} finally {
  await client.close();
}
