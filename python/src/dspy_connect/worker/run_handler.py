# pyright: reportUnknownMemberType=false, reportUnknownArgumentType=false, reportUnknownVariableType=false, reportUnknownLambdaType=false
# (DSPy ships no type information: pyright reads much of what it returns as Unknown.)
"""The Run RPC: one bidi stream per run.

The client sends `start`, then maybe `tool_result`s and a `cancel`. The worker sends event
frames, `tool_call`s, and exactly one `done`, always last. A module run is a task on the
event loop (DSPy's async path; operations/module.py sends a module with only a sync
`forward` to a thread); the other operations run in a worker thread. This coroutine only
moves frames.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import dspy
import grpc

from .. import jsonio, lm
from ..cancel import RunCancelled
from ..channel import ChannelClosed, EventChannel
from ..errors import InvalidArgument, WorkerError, short_cause
from ..operations.batch import run_batch
from ..operations.command import run_command_op
from ..operations.module import run_module
from ..operations.optimize import run_optimize
from ..operations.pipeline import run_pipeline
from ..run.context import RunContext
from ..run.outcome import RunOutcome
from ..run.stats import STATS
from ..session import SessionStore
from ..telemetry import RunTrace
from ..telemetry.attributes import RUN_SPAN, run_attributes
from ..tools.bridge import BRIDGE_SETTING
from ..v1 import common_pb2, run_pb2
from .grpc_types import Context

log = logging.getLogger("dspy_connect.worker")

Operation = Callable[[RunContext, Any], RunOutcome]
# Operations that start on the event loop; they get `in_thread` for work that must not.
LoopOperation = Callable[[RunContext, Any, Callable[..., Awaitable[Any]]], Awaitable[RunOutcome]]
LOOP_OPERATIONS: dict[str, LoopOperation] = {"module": run_module}
OPERATIONS: dict[str, Operation] = {
    "batch": run_batch,
    "optimize": run_optimize,
    "command": run_command_op,
    "pipeline": run_pipeline,
}
CANCELLED = grpc.StatusCode.CANCELLED.value[0]
# How long a finished run waits for a client with no deadline to close its side.
HALF_CLOSE_WAIT_S = 300.0
INTERNAL = grpc.StatusCode.INTERNAL.value[0]


class RunHandler:
    def __init__(
        self,
        sessions: SessionStore,
        default_lm: lm.LmSettings | None,
        in_thread: Callable[..., Awaitable[Any]],
        worker_id: str = "",
    ) -> None:
        self.sessions = sessions
        self.default_lm = default_lm
        self.in_thread = in_thread
        self.worker_id = worker_id

    async def handle(self, requests: AsyncIterator[run_pb2.RunRequest], context: Context) -> None:
        with STATS.run():
            try:
                first = await anext(requests)
            except StopAsyncIteration:
                await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "a Run must start with a `start` message")
            except WorkerError as exc:  # a malformed first message: the run still ends with `done`
                await context.write(_done_error(exc.code.value[0], exc.message, type(exc).__name__, 0))
                return
            if not first.HasField("start"):
                await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "a Run must start with a `start` message")
            start = first.start
            trace = RunTrace.start(
                RUN_SPAN, start.trace if start.HasField("trace") else None, lambda: run_attributes(start, self.worker_id)
            )
            try:
                reader = await self._run(requests, start, trace, context)
            except BaseException as exc:
                # A run with an outcome has finished its span already (finish is once only):
                # this is for failures to deliver it.
                trace.finish(short_cause(exc), error_type=type(exc).__name__, status_code=INTERNAL)
                raise
        if start.closes_after_done:
            await _until_half_closed(reader, context)
        else:
            reader.cancel()

    async def _run(
        self,
        requests: AsyncIterator[run_pb2.RunRequest],
        start: run_pb2.RunStart,
        trace: RunTrace,
        context: Context,
    ) -> asyncio.Task[None]:
        """Runs the operation and sends its `done`; returns the task still reading requests."""
        loop = asyncio.get_running_loop()
        channel = EventChannel(loop)
        remaining = _time_remaining(context)
        deadline = time.monotonic() + remaining if remaining is not None else None
        try:
            run, work_of, op = self._prepare(start, channel, deadline, trace)
        except WorkerError as exc:
            done = _done_error(exc.code.value[0], exc.message, type(exc).__name__, 0)
            _finish(trace, done.done)
            await context.write(done)
            return asyncio.create_task(_drain(requests))
        reader = asyncio.create_task(_read(requests, run))
        work = asyncio.ensure_future(work_of(run, op))
        work.add_done_callback(functools.partial(_ended, channel))
        try:
            while (frame := await channel.take()) is not None:
                await context.write(frame)
            done = await self._outcome(work, run, channel.count)
        except asyncio.CancelledError:
            # The client went away (abort, deadline, lost connection): stop the Python work.
            run.cancel("the client cancelled the run")
            channel.abandon()
            STATS.cancelled()
            trace.finish(
                "the client cancelled the run", error_type="RunCancelled", status_code=CANCELLED, event_count=channel.count
            )
            reader.cancel()
            raise
        except BaseException:
            reader.cancel()
            raise
        # Ended before `done` goes out, so a client that has `done` finds the span exported.
        _finish(trace, done.done)
        try:
            await context.write(done)
        except BaseException:
            reader.cancel()
            raise
        return reader

    def _prepare(
        self, start: run_pb2.RunStart, channel: EventChannel, deadline: float | None, trace: RunTrace
    ) -> tuple[RunContext, Callable[[RunContext, Any], Awaitable[RunOutcome]], Any]:
        """The run, what starts its work (an awaitable of its outcome), and its operation's message."""
        kind = start.WhichOneof("operation") or ""
        if kind in LOOP_OPERATIONS:
            work_of = functools.partial(_on_loop, LOOP_OPERATIONS[kind], self.in_thread)
        elif kind in OPERATIONS:
            work_of = functools.partial(self.in_thread, _as_current, OPERATIONS[kind])
        else:
            raise InvalidArgument(f"run operation {kind!r} is not supported by this worker")
        session = self.sessions.get(start.session_id) if start.session_id else None
        settings = lm.settings_from_proto(start.lm) if start.HasField("lm") else None
        candidates = [settings, session.lm if session else None, self.default_lm]
        chosen = lm.with_retries(
            next((c for c in candidates if c is not None), None), start.retries if start.HasField("retries") else None
        )
        return RunContext(channel, chosen, session, start.tools, deadline, trace), work_of, getattr(start, kind)

    async def _outcome(self, work: asyncio.Future[RunOutcome], run: RunContext, count: int) -> run_pb2.RunResponse:
        try:
            outcome = await work
            done = run_pb2.RunDone(result_json=jsonio.dumps(outcome.result), usage=outcome.usage, event_count=count)
            return run_pb2.RunResponse(done=done)
        except RunCancelled:
            if run.failure is not None:  # the client sent a bad message mid-run
                return _done_error(run.failure.code.value[0], run.failure.message, type(run.failure).__name__, count)
            STATS.cancelled()
            return _done_error(CANCELLED, f"run cancelled: {run.cancel_reason}", "RunCancelled", count)
        except WorkerError as exc:
            # A pipeline step's failure says where it happened.
            return _done_error(exc.code.value[0], exc.message, type(exc).__name__, count, getattr(exc, "path", ""))
        except Exception as exc:  # a failure inside DSPy or the LM
            log.warning("run failed: %s", short_cause(exc, 2000))
            return _done_error(INTERNAL, f"DSPy run failed: {short_cause(exc)}", type(exc).__name__, count)


def _as_current(operation: Operation, run: RunContext, op: Any) -> RunOutcome:
    """Runs the operation with the run's tool bridge current (what TypeScript tools call
    through), and its span current, with DSPy spans under it when tracing is on. The run has
    a DSPy trace of its own, dropped when it ends (the worker keeps no global one)."""
    with dspy.context(**{BRIDGE_SETTING: run.tools}, trace=[]), run.trace.active():
        return operation(run, op)


def _ended(channel: EventChannel, work: asyncio.Future[RunOutcome]) -> None:
    """The work is over: the sender drains the channel. Its outcome counts as seen, since a
    run whose client went away is never awaited (asyncio would log it as lost)."""
    channel.close()
    if not work.cancelled():
        work.exception()


async def _on_loop(operation: LoopOperation, in_thread: Callable[..., Awaitable[Any]], run: RunContext, op: Any) -> RunOutcome:
    """_as_current for an operation awaited on the event loop. This task has a copy of the
    handler's context, so the run's dspy.context and span are its own."""
    with dspy.context(**{BRIDGE_SETTING: run.tools}, trace=[]), run.trace.active():
        return await operation(run, op, in_thread)


def _finish(trace: RunTrace, done: run_pb2.RunDone) -> None:
    if done.HasField("error"):
        error = done.error
        trace.finish(error.message, error_type=error.cause, status_code=error.code, event_count=done.event_count)
    else:
        trace.finish(event_count=done.event_count)


async def _read(requests: AsyncIterator[run_pb2.RunRequest], run: RunContext) -> None:
    """Client messages after `start`: tool results and output, and cancel. A closed request
    side does not end the run."""
    try:
        async for request in requests:
            kind = request.WhichOneof("kind")
            if kind == "tool_result":
                run.tools.resolve(request.tool_result)
            elif kind == "tool_output":
                event = run.tools.output_event(request.tool_output)
                # Bounded: when the reader lags, wait for room without blocking the loop.
                if event is not None:
                    await run.channel.aput(event)
            elif kind == "cancel":
                run.cancel(request.cancel.reason or "the client cancelled the run")
    except (asyncio.CancelledError, grpc.aio.AioRpcError, ChannelClosed):
        pass
    except WorkerError as exc:  # a malformed message, or a tool result the bridge refuses
        run.fail(exc)


async def _until_half_closed(reader: asyncio.Task[None], context: Context) -> None:
    """Returns once the client has closed its request side, as a client that set
    `closes_after_done` does on reading `done`.

    Returning earlier makes grpc end the stream with RST_STREAM(NO_ERROR) after the
    trailers, and Node's http2 then discards what a paused reader had not read yet, `done`
    included (ERR_STREAM_PREMATURE_CLOSE). Bounded by the run's deadline, or by
    HALF_CLOSE_WAIT_S for a client that set none.
    """
    remaining = _time_remaining(context)
    timeout = HALF_CLOSE_WAIT_S if remaining is None else max(0.0, remaining)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(reader, timeout)


def _time_remaining(context: Context) -> float | None:
    """Seconds to the RPC's deadline; None without one (grpc's stubs leave None out)."""
    return context.time_remaining()


async def _drain(requests: AsyncIterator[run_pb2.RunRequest]) -> None:
    """Reads and drops the rest of a run that never started (its `done` is sent)."""
    try:
        async for _ in requests:
            pass
    except (asyncio.CancelledError, grpc.aio.AioRpcError, WorkerError):  # WorkerError: a malformed message
        pass


def _done_error(code: int, message: str, cause: str, count: int, path: str = "") -> run_pb2.RunResponse:
    error = common_pb2.ErrorDetail(code=code, message=message, cause=cause, path=path)
    return run_pb2.RunResponse(done=run_pb2.RunDone(error=error, event_count=count))
