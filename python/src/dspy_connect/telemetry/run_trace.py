# pyright: reportUnknownMemberType=false, reportUnknownArgumentType=false, reportUnknownVariableType=false, reportUnknownLambdaType=false
# (DSPy ships no type information: pyright reads much of what it returns as Unknown.)
"""One RPC's server span (a Run or a Call) and the DSPy spans open inside it.

DSPy spans are kept by DSPy's callback call id, so a child finds its parent's span from
`ACTIVE_CALL_ID` and the tool bridge finds the span of the tool call it is serving.
Callbacks run on many threads (batch items, parallel branches, anyio threads), hence
the lock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from contextvars import ContextVar, Token
from dataclasses import dataclass
from typing import TypeVar

import dspy
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind, Status, StatusCode
from opentelemetry.util.types import Attributes

from ..errors import short_cause
from ..v1 import common_pb2
from .attributes import ERROR_TYPE, EVENT_COUNT, GRPC_STATUS, STEP_ATTEMPT, STEP_KIND, STEP_PATH, STEP_SPAN
from .dspy_spans import DspySpans
from .propagation import parent_context, trace_context_of
from .provider import tracer, tracing_enabled

T = TypeVar("T")

# The span of the pipeline step running in this context: DSPy calls with no traced parent
# call nest under it rather than under the run. Context-local, so parallel branches (each
# in a copy of the context) keep their own.
_STEP_SPAN: ContextVar[Span | None] = ContextVar("dspy_connect_step_span", default=None)


@dataclass(frozen=True)
class _OpenSpan:
    span: Span
    # Detached when the call ends: while it runs, the span is the thread's current span,
    # so instrumentation inside (HTTP clients, LiteLLM's own) nests under it.
    token: Token[otel_context.Context]


class RunTrace:
    """Without a configured provider it holds no span and only passes the caller's trace
    context on to tool calls, so TypeScript tool spans still join the caller's trace."""

    def __init__(self, span: Span | None, incoming: common_pb2.TraceContext | None = None) -> None:
        self.span = span
        self._incoming = incoming if incoming is not None and incoming.traceparent else None
        self._lock = threading.Lock()
        self._open: dict[str, _OpenSpan] = {}
        self._finished = False

    @classmethod
    def start(cls, name: str, incoming: common_pb2.TraceContext | None, attributes: Callable[[], Attributes]) -> RunTrace:
        """The server span of one RPC, a child of the caller's span when it sent one.
        `attributes` is only called when tracing is on."""
        if not tracing_enabled():
            return cls(None, incoming)
        span = tracer().start_span(name, context=parent_context(incoming), kind=SpanKind.SERVER, attributes=attributes())
        return cls(span, incoming)

    @property
    def recording(self) -> bool:
        return self.span is not None

    # ---- the RPC's work, on its worker thread ----

    def active(self) -> AbstractContextManager[None]:
        """Makes the server span current and adds the span callback to DSPy's callbacks,
        so each module, LM and tool call inside gets a child span. The operations build
        their callback lists from dspy.settings.callbacks, so they keep it."""
        return nullcontext() if self.span is None else self._activated(self.span)

    @contextmanager
    def _activated(self, span: Span) -> Generator[None]:
        callbacks = [*dspy.settings.callbacks, DspySpans(self)]
        with trace.use_span(span, record_exception=False, set_status_on_exception=False), dspy.context(callbacks=callbacks):
            yield

    def call(self, fn: Callable[..., T], *args: object) -> T:
        """`fn(*args)` inside `active()`."""
        with self.active():
            return fn(*args)

    # ---- DSPy spans (from DspySpans, any thread) ----

    def open(self, call_id: str, parent_call_id: str | None, name: str, kind: SpanKind, attributes: Attributes) -> None:
        """Starts the span of DSPy call `call_id` under its parent call's span, or under
        the server span when the parent is not traced (or there is none)."""
        with self._lock:
            if self.span is None or self._finished:
                return  # a thread the run abandoned: its spans would never end
            parent = self._open.get(parent_call_id) if parent_call_id else None
            parent_span = parent.span if parent is not None else _STEP_SPAN.get() or self.span
            span = tracer().start_span(name, context=trace.set_span_in_context(parent_span), kind=kind, attributes=attributes)
            self._open[call_id] = _OpenSpan(span, otel_context.attach(trace.set_span_in_context(span)))

    def close(self, call_id: str, exception: BaseException | None, attributes: Attributes = None) -> None:
        with self._lock:
            entry = self._open.pop(call_id, None)
        if entry is None:
            return
        otel_context.detach(entry.token)
        if attributes:
            entry.span.set_attributes(attributes)
        if exception is not None:
            entry.span.record_exception(exception)
            entry.span.set_attribute(ERROR_TYPE, type(exception).__name__)
            entry.span.set_status(Status(StatusCode.ERROR, short_cause(exception)))
        entry.span.end()

    # ---- pipeline steps ----

    def step(self, path: str, kind: str, attempt: int) -> AbstractContextManager[None]:
        """A span for one attempt of pipeline step `path`, a child of the enclosing step's
        span (or the run's); the DSPy spans inside nest under it."""
        return nullcontext() if self.span is None else self._step(path, kind, attempt)

    @contextmanager
    def _step(self, path: str, kind: str, attempt: int) -> Generator[None]:
        with self._lock:
            finished = self._finished
        if finished:  # a branch the run abandoned: its span would outlive the run's
            yield
            return
        parent = _STEP_SPAN.get() or self.span
        if parent is None:  # not recording: no run span to hang the step under
            yield
            return
        attributes = {STEP_PATH: path, STEP_KIND: kind, STEP_ATTEMPT: attempt}
        span = tracer().start_span(
            f"{STEP_SPAN} {kind}", context=trace.set_span_in_context(parent), kind=SpanKind.INTERNAL, attributes=attributes
        )
        token = _STEP_SPAN.set(span)
        try:
            yield
        except BaseException as exc:
            span.set_attribute(ERROR_TYPE, type(exc).__name__)
            span.set_status(Status(StatusCode.ERROR, short_cause(exc)))
            raise
        finally:
            _STEP_SPAN.reset(token)
            span.end()

    # ---- the wire ----

    def context_for(self, call_id: str | None) -> common_pb2.TraceContext | None:
        """The trace context a TypeScript tool call carries: the span of DSPy call
        `call_id` (its dspy.tool span), else the server span; without tracing, the
        caller's own context."""
        if self.span is None:
            return self._incoming
        with self._lock:
            entry = self._open.get(call_id) if call_id else None
        return trace_context_of(entry.span if entry is not None else self.span)

    # ---- the end ----

    def finish(
        self,
        error: str | None = None,
        *,
        error_type: str | None = None,
        status_code: int = 0,
        event_count: int | None = None,
    ) -> None:
        """Ends the server span (once; later calls do nothing), with status ERROR and
        `error` as its description when the RPC failed. DSPy spans still open (work the
        run abandoned or that was cancelled mid-start) end here too."""
        with self._lock:
            if self.span is None or self._finished:
                self._finished = True
                return
            self._finished = True
            leftovers, self._open = list(self._open.values()), {}
        for entry in leftovers:
            entry.span.set_status(Status(StatusCode.ERROR, "still running when the run ended"))
            entry.span.end()
        span = self.span
        span.set_attribute(GRPC_STATUS, status_code)
        if event_count is not None:
            span.set_attribute(EVENT_COUNT, event_count)
        if error is not None:
            span.set_attribute(ERROR_TYPE, error_type or "Error")
            span.set_status(Status(StatusCode.ERROR, error))
        span.end()
