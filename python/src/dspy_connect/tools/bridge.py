# pyright: reportUnknownMemberType=false, reportUnknownArgumentType=false, reportUnknownVariableType=false, reportUnknownLambdaType=false
# (DSPy ships no type information: pyright reads much of what it returns as Unknown.)
"""TypeScript tools, called over the run's own stream.

A call goes out as a `tool_call` frame (in order with the run's events) and blocks its
thread, or awaits on the async path, until the client's `tool_result` with the same
call id arrives. Calls are independent, so several may be in flight at once. Each has a
timeout (the tool's own, else the run's deadline), and cancelling the run fails them all.

The bridge needs only the run's cancel scope, channel and trace, not the run itself; the
run's code finds it through `current_bridge()`.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, InvalidStateError
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

import dspy

from .. import jsonio
from ..cancel import CancelScope, RunCancelled, current_scope
from ..channel import ChannelClosed, EventChannel
from ..errors import InvalidArgument, echo
from ..telemetry import RunTrace
from ..v1 import common_pb2, run_pb2
from .tool_names import tool_name_problem

MAX_TOOLS_PER_RUN = 256
# The dspy.context key that carries the current run's bridge into every thread DSPy starts.
BRIDGE_SETTING = "dspy_connect_tools"


def current_bridge() -> ToolBridge | None:
    """The tool bridge of the run whose code is executing on this thread, if any."""
    bridge = dspy.settings.get(BRIDGE_SETTING)
    return bridge if isinstance(bridge, ToolBridge) else None


class ToolFailure(Exception):
    """A tool call failed. An Exception, so DSPy agents turn it into the observation."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


class ToolBridge:
    def __init__(
        self,
        scope: CancelScope,
        channel: EventChannel,
        trace: RunTrace,
        specs: list[common_pb2.ToolSpec],
        deadline: float | None,
    ) -> None:
        if len(specs) > MAX_TOOLS_PER_RUN:
            raise InvalidArgument(f"a run may bring at most {MAX_TOOLS_PER_RUN} tools, got {len(specs)}")
        self.scope = scope
        self.channel = channel
        self.trace = trace
        # Where each tool call happened (call id -> (path, step)), filled by AgentEvents.
        self.steps: dict[str, tuple[str, int]] = {}
        self.specs: dict[str, common_pb2.ToolSpec] = {}
        for spec in specs:
            problem = tool_name_problem(spec.name)
            if problem is not None:
                raise InvalidArgument(problem)
            if spec.name in self.specs:
                raise InvalidArgument(f"tool names must be unique, got {echo(spec.name)} twice")
            self.specs[spec.name] = spec
        self._deadline = deadline  # time.monotonic() at which the run ends, if it has a deadline
        self._lock = threading.Lock()
        # call id -> (its future, the tool's name, unsubscribe from its scope's cancel)
        self._pending: dict[str, tuple[Future[Any], str, Callable[[], None]]] = {}
        self._ids = itertools.count(1)
        scope.on_cancel(self._cancel_all)

    def has(self, name: str) -> bool:
        return name in self.specs

    # ---- calls (any thread) ----

    def call(self, name: str, args: dict[str, Any], call_id: str | None = None) -> Any:
        """Calls the TypeScript tool `name` and blocks until its result; raises ToolFailure."""
        future, call_id, timeout = self._start(name, args, call_id)
        try:
            return self._outcome(name, call_id, future.result(timeout))
        except FutureTimeout:
            raise self._timed_out(name, call_id, timeout) from None
        finally:
            self._forget(call_id)

    async def acall(self, name: str, args: dict[str, Any], call_id: str | None = None) -> Any:
        """`call` for async code: waits without blocking the event loop."""
        future, call_id, timeout = self._start(name, args, call_id)
        try:
            result = await asyncio.wait_for(asyncio.wrap_future(future), timeout)
            return self._outcome(name, call_id, result)
        except TimeoutError:
            raise self._timed_out(name, call_id, timeout) from None
        finally:
            self._forget(call_id)

    def _start(self, name: str, args: dict[str, Any], call_id: str | None) -> tuple[Future[Any], str, float | None]:
        self.scope.check()
        spec = self.specs.get(name)
        # The dspy.tool span of DSPy call `call_id` (else the run's span) becomes the
        # parent of the TypeScript tool's span.
        trace = self.trace.context_for(call_id)
        call_id = call_id or f"tool-{next(self._ids)}"
        if spec is None:
            message = f"unknown tool {echo(name)}: this run's TypeScript tools are {sorted(self.specs)}"
            self.tool_error(call_id, name, "unknown_tool", message)
            raise ToolFailure("unknown_tool", message)
        timeout = self._timeout(spec)
        future: Future[Any] = Future()
        unlink = self._follow_scope(future)
        with self._lock:
            if call_id in self._pending:
                call_id = f"{call_id}-{next(self._ids)}"
            self._pending[call_id] = (future, name, unlink)
        if self.scope.cancelled.is_set():  # cancelled after the check above: _cancel_all may have missed it
            self._forget(call_id)
            self.scope.check()
        call = run_pb2.ToolCall(
            call_id=call_id,
            tool_name=name,
            args_json=jsonio.dumps(args),
            timeout_ms=int(timeout * 1000) if timeout is not None else 0,
            trace=trace,
        )
        try:
            self.channel.put(run_pb2.RunResponse(tool_call=call))
        except ChannelClosed:
            self._forget(call_id)
            self.scope.check()
            raise ToolFailure("cancelled", f"tool {echo(name)} was not called: the run is over") from None
        return future, call_id, timeout

    def _timeout(self, spec: common_pb2.ToolSpec) -> float | None:
        remaining = None if self._deadline is None else max(0.0, self._deadline - time.monotonic())
        own = spec.timeout_ms / 1000 if spec.timeout_ms else None
        candidates = [t for t in (own, remaining) if t is not None]
        return min(candidates) if candidates else None

    def _outcome(self, name: str, call_id: str, result: run_pb2.ToolResult) -> Any:
        if result.WhichOneof("outcome") == "error":
            kind = result.error_kind or "error"
            self.tool_error(call_id, name, kind, result.error)
            raise ToolFailure(kind, result.error)
        return jsonio.loads(result.output_json, "tool output") if result.output_json else None

    def _timed_out(self, name: str, call_id: str, timeout: float | None) -> ToolFailure:
        self.scope.check()  # a run that ended while we waited is cancelled, not timed out
        message = f"tool {echo(name)} timed out after {round((timeout or 0) * 1000)} ms"
        self.tool_error(call_id, name, "timeout", message)
        return ToolFailure("timeout", message)

    def _forget(self, call_id: str) -> None:
        with self._lock:
            entry = self._pending.pop(call_id, None)
        if entry is not None:
            entry[2]()

    def _follow_scope(self, future: Future[Any]) -> Callable[[], None]:
        """A call made in a pipeline branch fails when that branch's group is cancelled (a
        sibling failed fast), not only when the whole run is."""
        scope = current_scope()
        if scope is None or scope is self.scope:
            return lambda: None
        scope.check()
        return scope.on_cancel(lambda: _fail(future, RunCancelled(scope.cancel_reason)))

    # ---- client messages (the event loop) ----

    def resolve(self, result: run_pb2.ToolResult) -> None:
        """A `tool_result` arrived; results for calls that timed out or never existed are dropped."""
        with self._lock:
            entry = self._pending.get(result.call_id)
        if entry is not None and not entry[0].done():
            with contextlib.suppress(InvalidStateError):  # a cancel won the race
                entry[0].set_result(result)

    def output_event(self, chunk: run_pb2.ToolOutput) -> run_pb2.Event | None:
        """The `tool_output` event for a streamed chunk of a pending call."""
        with self._lock:
            entry = self._pending.get(chunk.call_id)
        if entry is None:
            return None
        return self.tool_output_event(chunk.call_id, entry[1], chunk.chunk_json)

    # ---- tool events ----

    def tool_output_event(self, call_id: str, tool: str, chunk_json: bytes) -> run_pb2.Event:
        path, step = self.steps.get(call_id, ("", 0))
        event = run_pb2.ToolOutputEvent(path=path, step=step, call_id=call_id, tool_name=tool, chunk_json=chunk_json)
        return run_pb2.Event(tool_output=event)

    def emit_output(self, call_id: str, tool: str, chunk: Any) -> None:
        """A chunk a Python tool streamed; a cancelled run stops the tool here."""
        self.scope.check()
        self.channel.put(self.tool_output_event(call_id, tool, jsonio.dumps(chunk)))

    def tool_error(self, call_id: str, tool: str, kind: str, message: str) -> None:
        path, step = self.steps.get(call_id, ("", 0))
        event = run_pb2.ToolErrorEvent(path=path, step=step, call_id=call_id, tool_name=tool, kind=kind, message=message)
        self.channel.put(run_pb2.Event(tool_error=event))

    def _cancel_all(self) -> None:
        with self._lock:
            pending = list(self._pending.values())
        for future, _, _ in pending:
            _fail(future, RunCancelled(self.scope.cancel_reason))


def _fail(future: Future[Any], error: BaseException) -> None:
    if not future.done():
        with contextlib.suppress(InvalidStateError):  # the result won a race
            future.set_exception(error)
