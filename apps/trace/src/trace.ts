// One agent run, traced across both languages, printed as a span tree:
//   pnpm --filter @dspy-connect/example-trace start "Which country is Paris in?"
// TypeScript spans come from @dspy-connect/telemetry; the worker's from its own OpenTelemetry
// SDK (here the in-memory one of `dspy_connect.testing.otel`; in production, your exporter).
import { createClient } from "@dspy-connect/client";
import { executeStream, streamReact } from "@dspy-connect/streaming";
import { instrument } from "@dspy-connect/telemetry";
import { defineTool } from "@dspy-connect/tools";
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { z } from "zod";
import { renderTree, type TreeSpan } from "./span-tree.ts";

interface WorkerSpan {
  name: string;
  span_id: string;
  parent_span_id: string | null;
  start_ns: number;
  end_ns: number;
  status: { code: string };
}

// A question the default 135M model gets right after a tool call, so the TS tool span shows.
const question = process.argv.slice(2).join(" ") || "Which country is Paris in?";
const exporter = new InMemorySpanExporter();
const telemetry = instrument({
  tracer: new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] }).getTracer("example-trace"),
});
const cities: Record<string, string> = {
  Paris: "Paris is a city in France with 2,102,650 inhabitants.",
  Lyon: "Lyon is a city in France with 522,250 inhabitants.",
  Nice: "Nice is a city in France with 348,085 inhabitants.",
};
const cityFacts = defineTool({
  name: "city_facts",
  description: "Country and population of a city.",
  input: z.object({ city: z.string() }),
  execute: ({ city }) => Object.entries(cities).find(([name]) => city.includes(name))?.[1] ?? "unknown city",
});

const client = await createClient({ workers: 1, lm: process.env.DSPY_CONNECT_LM ?? "local", imports: ["dspy_connect.testing.otel"] });
try {
  const answer = await streamReact(client, "question -> answer", { question }, { tools: [cityFacts], maxIters: 2 }).result;
  const [run] = exporter.getFinishedSpans().filter((s) => s.name.startsWith("dspy_connect.module"));
  const traceId = run!.spanContext().traceId;
  telemetry.close(); // the span query below is not part of the trace
  const worker = await executeStream<WorkerSpan[]>(client, "otel_spans", { trace_id: traceId }).result;
  const spans: TreeSpan[] = [
    ...exporter
      .getFinishedSpans()
      .filter((s) => s.spanContext().traceId === traceId)
      .map((s) => ({
        side: "ts" as const,
        name: s.name,
        spanId: s.spanContext().spanId,
        parentId: s.parentSpanContext?.spanId,
        startMs: s.startTime[0] * 1e3 + s.startTime[1] / 1e6,
        durationMs: s.duration[0] * 1e3 + s.duration[1] / 1e6,
        error: s.status.code === 2,
      })),
    ...worker.map((s) => ({
      side: "py" as const,
      name: s.name,
      spanId: s.span_id,
      parentId: s.parent_span_id ?? undefined,
      startMs: s.start_ns / 1e6,
      durationMs: (s.end_ns - s.start_ns) / 1e6,
      error: s.status.code === "ERROR",
    })),
  ];
  console.log(`Q: ${question}\nA: ${answer.answer}\n\ntrace ${traceId}`);
  for (const line of renderTree(spans)) console.log(line);
} finally {
  await client.close();
}
