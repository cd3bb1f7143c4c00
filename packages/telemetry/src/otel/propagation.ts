import { create } from "@bufbuild/protobuf";
import { type TraceContext, TraceContextSchema } from "@dspy-connect/core-proto";
import { type Context, context, defaultTextMapGetter, defaultTextMapSetter, ROOT_CONTEXT, type Span, trace } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";

// Our own propagator: the worker speaks W3C trace context whatever the app registered globally.
const w3c = new W3CTraceContextPropagator();

/** The W3C trace context of `span`, for a message to the worker. */
export function traceContextOf(span: Span): TraceContext {
  const carrier: Record<string, string> = {};
  w3c.inject(trace.setSpan(context.active(), span), carrier, defaultTextMapSetter);
  return create(TraceContextSchema, { traceparent: carrier.traceparent ?? "", tracestate: carrier.tracestate ?? "" });
}

/** The context a worker's trace context names, if it names one. */
export function contextFrom(traceContext: TraceContext | undefined): Context | undefined {
  if (!traceContext?.traceparent) return undefined;
  const carrier = { traceparent: traceContext.traceparent, ...(traceContext.tracestate && { tracestate: traceContext.tracestate }) };
  const extracted = w3c.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter);
  return trace.getSpanContext(extracted) ? extracted : undefined;
}
