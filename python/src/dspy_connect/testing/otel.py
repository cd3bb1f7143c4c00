"""Records the worker's spans in memory, for tests: load it with `--import
dspy_connect.testing.otel` (from TypeScript: `createClient({ imports:
["dspy_connect.testing.otel"] })`), run something, then run the stream command
`otel_spans` to get the finished spans as JSON.

This is also how you export the worker's spans yourself: configure an SDK
TracerProvider as the global one in a plugin module of your own, loaded with `--import`,
with the exporter you use in production, for example:

    # my_tracing.py, loaded with createClient({ imports: ["my_tracing"] })
    from opentelemetry import trace
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    provider = TracerProvider(resource=Resource.create({"service.name": "dspy-worker"}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)

(`opentelemetry-sdk` and the exporter are your dependencies; the worker needs only
`opentelemetry-api`). Without a provider the worker records no spans and runs no span
callback.
"""

from __future__ import annotations

from typing import Any

from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanContext

from ..commands import stream_command

EXPORTER = InMemorySpanExporter()
# Simple (synchronous) export: a span is in EXPORTER as soon as it ends, so a run's spans
# are all there once its `done` arrived.
_provider = TracerProvider()
_provider.add_span_processor(SimpleSpanProcessor(EXPORTER))
trace.set_tracer_provider(_provider)


@stream_command("otel_spans")
def otel_spans(run: Any, args: dict[str, Any]) -> list[dict[str, Any]]:
    """The spans finished so far, oldest first, then clears them all (`"clear": false`
    keeps them). `"trace_id"` (32 hex digits) returns only that trace's spans."""
    spans = EXPORTER.get_finished_spans()
    if args.get("clear", True):
        EXPORTER.clear()
    wanted = args.get("trace_id")
    return [span_json(s) for s in spans if wanted is None or _hex(_context(s).trace_id, 32) == str(wanted).lower()]


def span_json(span: ReadableSpan) -> dict[str, Any]:
    """A span as JSON: ids as lowercase hex, `parent_span_id` null for a root."""
    return {
        "name": span.name,
        "trace_id": _hex(_context(span).trace_id, 32),
        "span_id": _hex(_context(span).span_id, 16),
        "parent_span_id": _hex(span.parent.span_id, 16) if span.parent is not None else None,
        "kind": span.kind.name,
        "status": {"code": span.status.status_code.name, "message": span.status.description},
        "attributes": {k: list(v) if isinstance(v, tuple) else v for k, v in (span.attributes or {}).items()},
        "start_ns": span.start_time,
        "end_ns": span.end_time,
    }


def _hex(value: int, digits: int) -> str:
    return format(value, f"0{digits}x")


def _context(span: ReadableSpan) -> SpanContext:
    if span.context is None:  # the SDK's finished spans always have one
        raise ValueError(f"span {span.name!r} has no context")
    return span.context
