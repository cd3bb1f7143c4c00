"""Whether tracing is on, and the worker's tracer."""

from __future__ import annotations

from opentelemetry import trace

from .. import __version__

SCOPE = "dspy_connect"

_cached: tuple[trace.TracerProvider, trace.Tracer] | None = None


def tracing_enabled() -> bool:
    """True once a real TracerProvider is installed. Until then the API's proxy provider
    hands out no-op spans, so the worker skips spans and its DSPy callback altogether;
    an SDK provider disabled with OTEL_SDK_DISABLED hands out a NoOpTracer."""
    provider = trace.get_tracer_provider()
    if isinstance(provider, (trace.ProxyTracerProvider, trace.NoOpTracerProvider)):
        return False
    return not isinstance(tracer(), trace.NoOpTracer)


def tracer() -> trace.Tracer:
    """The worker's tracer from the current global provider (made once per provider)."""
    global _cached
    provider = trace.get_tracer_provider()
    cached = _cached
    if cached is None or cached[0] is not provider:
        cached = _cached = (provider, provider.get_tracer(SCOPE, __version__))
    return cached[1]
