import { Code, ConnectError, type OperationInfo, subscribe } from "@dspy-connect/client";
import { type Attributes, context, type Meter, metrics, type Span, SpanKind, SpanStatusCode, type Tracer, trace } from "@opentelemetry/api";
import type { SlowChunk, TelemetryEvent } from "../events/telemetry-event.js";
import { createInstruments } from "../otel/instruments.js";
import { contextFrom, traceContextOf } from "../otel/propagation.js";

export interface TelemetryLogger {
  warn(message: string, details: SlowChunk): void;
}

export interface TelemetryOptions {
  /** Default: the global tracer provider's (a no-op until an SDK is registered). */
  readonly tracer?: Tracer;
  /** Default: the global meter provider's. */
  readonly meter?: Meter;
  /** A gap between two chunks longer than this is reported. Default 100 ms. */
  readonly slowChunkMs?: number;
  /**
   * Where slow-chunk warnings go, and only there: without it they are not printed (the
   * `slow_chunks` counter and `onEvent`'s chunk gaps still record them).
   */
  readonly logger?: TelemetryLogger;
  /** Every operation's start, chunks, and completion or error. */
  readonly onEvent?: (event: TelemetryEvent) => void;
}

export interface Telemetry {
  /** Stops listening; operations in flight are no longer followed. */
  close(): void;
}

interface Tracked {
  readonly info: OperationInfo;
  readonly span: Span;
  readonly operation: string;
  chunks: number;
  bytes: number;
  last: number;
  /** An error the worker reported in its done message. */
  failure?: { code: number; message: string };
}

const SCOPE = "@dspy-connect/telemetry";

/**
 * Follows every run, unary call and TypeScript tool call of every client in this process
 * (through the client's diagnostics channels): OpenTelemetry spans and metrics, the W3C
 * trace context sent to the worker (whose spans then join the trace), slow-chunk warnings
 * and `onEvent`. Without it the client publishes to nobody and pays nothing.
 */
export function instrument(options: TelemetryOptions = {}): Telemetry {
  const tracer = options.tracer ?? trace.getTracer(SCOPE);
  const instruments = createInstruments(options.meter ?? metrics.getMeter(SCOPE));
  const slowChunkMs = options.slowChunkMs ?? 100;
  const logger = options.logger;
  const tracked = new Map<string, Tracked>();
  const toolSpans = new WeakMap<object, Tracked>();

  function emit(event: TelemetryEvent): void {
    options.onEvent?.(event);
  }

  function base(t: Tracked, at: number) {
    const { info } = t;
    return {
      operation: t.operation,
      name: info.name,
      id: info.id,
      workerId: info.workerId,
      sessionId: info.sessionId,
      time: performance.timeOrigin + at,
      sinceStartMs: at - info.startedAt,
    };
  }

  function begin(info: OperationInfo, operation: string, spanName: string, kind: SpanKind, parent = context.active()): Tracked {
    const attributes: Attributes = { "dspy_connect.operation": operation, "dspy_connect.name": info.name };
    if (info.sessionId) attributes["dspy_connect.session_id"] = info.sessionId;
    const span = tracer.startSpan(spanName, { kind, attributes }, parent);
    const t: Tracked = { info, span, operation, chunks: 0, bytes: 0, last: info.startedAt };
    emit({ type: "start", ...base(t, info.startedAt) });
    return t;
  }

  function chunk(t: Tracked, bytes: number, events: number, at: number): void {
    const first = t.chunks === 0;
    const gap = at - t.last;
    t.chunks++;
    t.bytes += bytes;
    t.last = at;
    const attributes = { "dspy_connect.operation": t.operation };
    instruments.chunks.add(1, attributes);
    instruments.bytes.add(bytes, attributes);
    if (first) instruments.firstChunkLatency.record(gap, attributes);
    else {
      instruments.chunkGap.record(gap, attributes);
      if (gap > slowChunkMs) {
        instruments.slowChunks.add(1, attributes);
        if (logger) warnSlow(logger, t, gap);
      }
    }
    emit({ type: "chunk", ...base(t, at), sincePreviousMs: gap, bytes, events, first });
  }

  function warnSlow(logger: TelemetryLogger, t: Tracked, gap: number): void {
    const details: SlowChunk = {
      operation: t.operation,
      name: t.info.name,
      id: t.info.id,
      workerId: t.info.workerId,
      gapMs: gap,
      thresholdMs: slowChunkMs,
    };
    logger.warn(
      `dspy-connect: slow chunk: ${gap.toFixed(0)} ms since the previous one (threshold ${slowChunkMs} ms) in ${t.operation} ${t.info.name} ${t.info.id} on worker ${t.info.workerId ?? "?"}`,
      details,
    );
  }

  function end(t: Tracked, error: Error | undefined, at: number): void {
    const connectError = error && ConnectError.from(error);
    const failure = connectError ? { code: connectError.code, message: connectError.rawMessage } : t.failure;
    if (t.info.workerId) t.span.setAttribute("dspy_connect.worker_id", t.info.workerId);
    t.span.setAttributes({ "dspy_connect.chunks": t.chunks, "dspy_connect.bytes": t.bytes });
    if (failure) {
      t.span.setStatus({ code: SpanStatusCode.ERROR, message: failure.message });
      t.span.setAttribute("rpc.grpc.status_code", failure.code);
      emit({ type: "error", ...base(t, at), code: failure.code, message: failure.message, chunks: t.chunks, bytes: t.bytes });
    } else {
      emit({ type: "complete", ...base(t, at), chunks: t.chunks, bytes: t.bytes });
    }
    instruments.operations.add(1, {
      "dspy_connect.operation": t.operation,
      "dspy_connect.outcome": failure ? (Code[failure.code] ?? "error") : "ok",
    });
    t.span.end();
  }

  const unsubscribes = [
    subscribe("dspy-connect:run:start", ({ info, start }) => {
      const t = begin(info, info.operation, `dspy_connect.${info.operation} ${info.name}`.trim(), SpanKind.CLIENT);
      tracked.set(info.id, t);
      start.trace = traceContextOf(t.span);
    }),
    subscribe("dspy-connect:run:frame", ({ info, response, bytes, at }) => {
      const t = tracked.get(info.id);
      if (!t) return;
      const kind = response.kind;
      if (kind.case === "done") {
        if (kind.value.outcome.case === "error")
          t.failure = { code: kind.value.outcome.value.code, message: kind.value.outcome.value.message };
        return;
      }
      chunk(t, bytes, kind.case === "events" ? kind.value.events.length : 0, at);
    }),
    subscribe("dspy-connect:run:end", ({ info, error, at }) => {
      const t = tracked.get(info.id);
      if (!t) return;
      tracked.delete(info.id);
      end(t, error, at);
    }),
    subscribe("dspy-connect:call:start", ({ info, request }) => {
      const t = begin(info, "call", `dspy_connect.call ${info.name}`, SpanKind.CLIENT);
      tracked.set(info.id, t);
      request.trace = traceContextOf(t.span);
    }),
    subscribe("dspy-connect:call:end", ({ info, error, at }) => {
      const t = tracked.get(info.id);
      if (!t) return;
      tracked.delete(info.id);
      end(t, error, at);
    }),
    subscribe("dspy-connect:tool:start", (call) => {
      // A child of the worker's span for this call; else of the run's span.
      const run = call.run && tracked.get(call.run.id);
      const parent = contextFrom(call.call.trace) ?? (run ? trace.setSpan(context.active(), run.span) : context.active());
      const info: OperationInfo = {
        id: call.call.callId,
        operation: "tool",
        name: call.call.toolName,
        sessionId: call.run?.sessionId,
        workerId: call.run?.workerId,
        startedAt: call.startedAt,
      };
      const t = begin(info, "tool", `dspy_connect.tool ${call.call.toolName}`, SpanKind.SERVER, parent);
      t.span.setAttribute("dspy_connect.tool.call_id", call.call.callId);
      toolSpans.set(call, t);
    }),
    subscribe("dspy-connect:tool:end", ({ info, error, at }) => {
      const t = toolSpans.get(info);
      if (!t) return;
      toolSpans.delete(info);
      instruments.toolCalls.add(1, { "dspy_connect.tool": info.call.toolName, "dspy_connect.outcome": error?.kind ?? "ok" });
      if (error) {
        t.span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
        t.span.setAttribute("dspy_connect.tool.error_kind", error.kind);
        emit({ type: "error", ...base(t, at), code: error.kind, message: error.message, chunks: 0, bytes: 0 });
        t.span.end();
      } else {
        emit({ type: "complete", ...base(t, at), chunks: 0, bytes: 0 });
        t.span.end();
      }
    }),
  ];

  return {
    close() {
      for (const unsubscribe of unsubscribes) unsubscribe();
    },
  };
}
