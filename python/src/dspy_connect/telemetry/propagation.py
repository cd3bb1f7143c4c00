"""W3C trace context in and out of the proto's TraceContext."""

from __future__ import annotations

from opentelemetry.context import Context
from opentelemetry.trace import Span, set_span_in_context
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from ..v1 import common_pb2

_W3C = TraceContextTextMapPropagator()


def parent_context(incoming: common_pb2.TraceContext | None) -> Context | None:
    """The caller's span as a parent context; None (the current context) when the caller
    sent none. A malformed traceparent gives an empty context, so the span is a root."""
    if incoming is None or not incoming.traceparent:
        return None
    carrier = {"traceparent": incoming.traceparent}
    if incoming.tracestate:
        carrier["tracestate"] = incoming.tracestate
    return _W3C.extract(carrier)


def trace_context_of(span: Span) -> common_pb2.TraceContext | None:
    """`span` as a TraceContext for the wire; None for an invalid (no-op) span."""
    carrier: dict[str, str] = {}
    _W3C.inject(carrier, context=set_span_in_context(span))
    if "traceparent" not in carrier:
        return None
    return common_pb2.TraceContext(traceparent=carrier["traceparent"], tracestate=carrier.get("tracestate", ""))
