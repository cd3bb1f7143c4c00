import { Code, type DspyClient, observed } from "@dspy-connect/client";
import { executeStream, streamPredict, streamReact } from "@dspy-connect/streaming";
import { collect, startClient } from "@dspy-connect/test-support";
import { defineTool } from "@dspy-connect/tools";
import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { instrument, observePool, type SlowChunk, type Telemetry, type TelemetryEvent } from "../src/index.js";

interface PythonSpan {
  name: string;
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  status: { code: string; message: string | null };
  attributes: Record<string, unknown>;
}

const spans = new InMemorySpanExporter();
const tracer = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] }).getTracer("test");
const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 60_000 });
const meter = new MeterProvider({ readers: [reader] }).getMeter("test");

let client: DspyClient;
let telemetry: Telemetry;
const events: TelemetryEvent[] = [];
const warnings: SlowChunk[] = [];
beforeAll(async () => {
  // The worker records its spans in memory (dspy_connect.testing.otel); the test reads them back.
  client = await startClient({ workers: 1, imports: ["dspy_connect.testing.plugins", "dspy_connect.testing.otel"] });
});
afterAll(async () => {
  telemetry?.close();
  await client?.close();
});
beforeEach(() => {
  telemetry?.close();
  telemetry = instrument({
    tracer,
    meter,
    slowChunkMs: 100,
    logger: { warn: (_, details) => warnings.push(details) },
    onEvent: (e) => events.push(e),
  });
  spans.reset();
  events.length = 0;
  warnings.length = 0;
});

async function pythonSpans(): Promise<PythonSpan[]> {
  return executeStream<PythonSpan[]>(client, "otel_spans").result;
}

const hex = (span: ReadableSpan) => span.spanContext().spanId;

describe("one trace across TypeScript and Python", () => {
  it("joins the TS run span, the worker's run, module, LM and tool spans, and the TS tool span", async () => {
    const shout = defineTool({
      name: "shout",
      description: "Upper-cases.",
      input: z.object({ input: z.string() }),
      execute: ({ input }) => input.toUpperCase(),
    });
    await collect(streamReact(client, "question -> answer", { question: "hello" }, { tools: [shout] }));
    const ts = spans.getFinishedSpans();
    const tsRun = ts.find((s) => s.name === "dspy_connect.module react")!;
    const tsTool = ts.find((s) => s.name === "dspy_connect.tool shout")!;
    expect(tsRun.kind).toBe(SpanKind.CLIENT);
    expect(tsTool.kind).toBe(SpanKind.SERVER);
    const traceId = tsRun.spanContext().traceId;

    const py = (await pythonSpans()).filter((s) => s.trace_id === traceId);
    const byId = new Map(py.map((s) => [s.span_id, s]));
    const pyRun = py.find((s) => s.name.startsWith("dspy_connect.run"))!;
    expect(pyRun.parent_span_id).toBe(hex(tsRun)); // the worker's run is a child of the TS run
    const pyTool = py.find((s) => s.name === "dspy.tool shout")!;
    expect(tsTool.spanContext().traceId).toBe(traceId);
    expect(tsTool.parentSpanContext?.spanId).toBe(pyTool.span_id); // the TS tool runs under the worker's tool span
    // Every Python span leads up to the worker's run span.
    for (const span of py) {
      let at: PythonSpan | undefined = span;
      while (at && at !== pyRun) at = at.parent_span_id ? byId.get(at.parent_span_id) : undefined;
      expect(at, span.name).toBe(pyRun);
    }
    expect(py.some((s) => s.name.startsWith("dspy.lm"))).toBe(true);
    expect(py.some((s) => s.name.startsWith("dspy.module"))).toBe(true);
  });

  it("traces unary calls too, and marks failures on both sides", async () => {
    await expect(
      client.predict("question -> answer", { question: "q" }, { lm: { model: "scripted/fail", cache: false } }),
    ).rejects.toMatchObject({ code: Code.Internal });
    const tsCall = spans.getFinishedSpans().find((s) => s.name === "dspy_connect.call predict")!;
    expect(tsCall.status.code).toBe(SpanStatusCode.ERROR);
    const pyCall = (await pythonSpans()).find(
      (s) => s.trace_id === tsCall.spanContext().traceId && s.name.startsWith("dspy_connect.call"),
    )!;
    expect(pyCall.parent_span_id).toBe(hex(tsCall));
    expect(pyCall.status.code).toBe("ERROR");
    expect(events.filter((e) => e.operation === "call").map((e) => e.type)).toEqual(["start", "error"]);
  });
});

describe("operation events and slow chunks", () => {
  it("reports start, each chunk with its latency and bytes, and completion", async () => {
    await streamPredict(client, "question -> answer", { question: "a b c" }).result;
    const run = events.filter((e) => e.operation === "module");
    expect(run[0]).toMatchObject({ type: "start", name: "predict", workerId: undefined });
    const chunks = run.filter((e) => e.type === "chunk");
    expect(chunks.length).toBeGreaterThan(0);
    expect(chunks[0]).toMatchObject({ first: true, workerId: "w0" });
    for (const c of chunks)
      expect(c.type === "chunk" && c.bytes > 0 && c.sincePreviousMs >= 0 && c.sinceStartMs >= c.sincePreviousMs).toBe(true);
    expect(run.at(-1)).toMatchObject({ type: "complete", chunks: chunks.length, workerId: "w0" });
  });

  it("warns about a slow chunk through the logger hook", async () => {
    // 250 ms between the LM's chunks: every gap is over the 100 ms threshold.
    await streamPredict(client, "question -> answer", { question: "one two three" }, { lm: { model: "scripted/tokens-250", cache: false } })
      .result;
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings[0]).toMatchObject({ operation: "module", name: "predict", workerId: "w0", thresholdMs: 100 });
    expect(warnings[0]!.gapMs).toBeGreaterThan(100);
  });

  it("without a logger hook, slow chunks are never printed", async () => {
    telemetry.close();
    telemetry = instrument({ tracer, meter, slowChunkMs: 100, onEvent: (e) => events.push(e) });
    const printed = vi.spyOn(console, "warn");
    try {
      await streamPredict(client, "question -> answer", { question: "one two" }, { lm: { model: "scripted/tokens-250", cache: false } })
        .result;
      const slow = events.filter((e) => e.type === "chunk" && !e.first && e.sincePreviousMs > 100);
      expect(slow.length).toBeGreaterThan(0); // there were slow chunks to warn about
      expect(printed).not.toHaveBeenCalled();
    } finally {
      printed.mockRestore();
    }
  });

  it("reports a run the worker failed as an error, with its code", async () => {
    await collect(streamPredict(client, "question -> answer", { question: "q" }, { lm: { model: "scripted/fail", cache: false } }));
    expect(events.at(-1)).toMatchObject({ type: "error", operation: "module", code: Code.Internal });
    expect(spans.getFinishedSpans().find((s) => s.name === "dspy_connect.module predict")?.status.code).toBe(SpanStatusCode.ERROR);
  });
});

describe("metrics", () => {
  it("records first-chunk latency, chunk gaps, counters and pool gauges", async () => {
    const pool = observePool(client, { meter });
    await pool.refresh();
    await streamPredict(client, "question -> answer", { question: "a b c d" }).result;
    await reader.forceFlush();
    const names = new Map(
      metricExporter
        .getMetrics()
        .flatMap((m) => m.scopeMetrics.flatMap((s) => s.metrics))
        .map((m) => [m.descriptor.name, m]),
    );
    for (const name of [
      "dspy_connect.operation.first_chunk_latency",
      "dspy_connect.operation.chunk_gap",
      "dspy_connect.operations",
      "dspy_connect.pool.queue_depth",
      "dspy_connect.pool.busy_workers",
      "dspy_connect.worker.restarts",
      "dspy_connect.worker.abandoned_calls",
      "dspy_connect.worker.rss",
      "dspy_connect.zygote.up",
      "dspy_connect.zygote.restarts",
    ]) {
      expect(names.has(name), name).toBe(true);
    }
    const rss = names.get("dspy_connect.worker.rss")!.dataPoints[0]!.value as number;
    expect(rss).toBeGreaterThan(50 * 1024 * 1024); // a Python process with DSPy loaded
    expect(names.get("dspy_connect.zygote.up")!.dataPoints[0]!.value).toBe(1); // the worker was forked from it
    expect(pool.snapshot()).toMatchObject({
      queueDepth: 0,
      restarts: 0,
      localLm: undefined,
      zygote: { status: "ready", restarts: 0 },
      workers: [{ id: "w0", status: "ready", abandoned: 0 }],
    });
    pool.close();
  });
});

describe("no cost when unused", () => {
  it("nobody listens until instrument() is called, and close() stops listening", () => {
    telemetry.close();
    expect(observed("dspy-connect:run:frame")).toBe(false);
    expect(observed("dspy-connect:run:start")).toBe(false);
    telemetry = instrument({ tracer, meter });
    expect(observed("dspy-connect:run:frame")).toBe(true);
  });
});
