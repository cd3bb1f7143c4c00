"""Whether tracing is on, and the worker's tracer."""

from __future__ import annotations

import functools

from opentelemetry import trace

from .. import __version__

SCOPE = "dspy_connect"


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
    return _tracer_of(trace.get_tracer_provider())


@functools.lru_cache(maxsize=1)
def _tracer_of(provider: trace.TracerProvider) -> trace.Tracer:
    return provider.get_tracer(SCOPE, __version__)
