"""OpenTelemetry spans for runs, calls and the DSPy work inside them.

The worker depends on `opentelemetry-api` only. Spans are recorded once a real
TracerProvider is installed (usually the SDK, from an `--import` plugin; see
`dspy_connect.testing.otel`); until then runs create no spans and install no callback.
"""

from .memory import resident_bytes
from .provider import tracing_enabled
from .run_trace import RunTrace

__all__ = ["RunTrace", "resident_bytes", "tracing_enabled"]
