# pyright: reportUnknownMemberType=false, reportUnknownArgumentType=false, reportUnknownVariableType=false, reportUnknownLambdaType=false
# (DSPy ships no type information: pyright reads much of what it returns as Unknown.)
"""Streams one DSPy module call with dspy.streamify: token deltas per output field, then
the prediction. Listeners and the streamify wrapper are made per run: a finished listener
ignores later calls and concurrent calls would share its state (dspy#8425).

Two paths. A module with an async path runs on the worker's event loop
(`stream_module_on_loop`): streamify awaits its `acall`, and the LM's stream is awaited
there too, with no thread in between. A module with only a sync `forward` runs on a pool
thread (`stream_module`), on a loop kept per thread, with the module in an anyio thread."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Coroutine
from typing import Any, TypeVar

import anyio
import dspy
from dspy.dsp.utils import dotdict
from dspy.dsp.utils.settings import thread_local_overrides
from dspy.streaming import StatusMessage, StreamListener, StreamResponse

from ..cancel import CancelScope
from .context import RunContext
from .json_field_text import JsonFieldText
from .stats import STATS

T = TypeVar("T")


def stream_module(run: RunContext, module: dspy.Module, inputs: dict[str, Any], path: str = "") -> Any:
    """Runs `module(**inputs)` and emits its tokens. Call it in a worker thread with the
    run's dspy.context set; returns the prediction. `path` prefixes token paths (a
    pipeline step's path)."""
    stream, paths = _streamed(module, inputs, path)
    return run_in_thread_loop(_drive(run, run, stream, paths))


async def stream_module_on_loop(run: RunContext, module: dspy.Module, inputs: dict[str, Any]) -> Any:
    """stream_module for a module with an async path (run/async_path.py), awaited on the
    worker's event loop with the run's dspy.context set; returns the prediction. Cancelling
    the run cancels this task, which closes the LM's HTTP request at once."""
    stream, paths = _streamed(module, inputs, "", on_loop=True)
    with STATS.busy():
        return await _drive(run, run, stream, paths)


async def astream_module(
    run: RunContext, module: dspy.Module, inputs: dict[str, Any], path: str = "", scope: CancelScope | None = None
) -> Any:
    """stream_module for code already running on its thread's loop: a pipeline awaits all
    its steps in one loop, since a loop run per step costs ~1.5 ms. `scope` (the run's by
    default; a pipeline branch group's) stops the call when cancelled."""
    stream, paths = _streamed(module, inputs, path)
    return await _drive(run, scope or run, stream, paths)


def _streamed(
    module: dspy.Module, inputs: dict[str, Any], path: str, on_loop: bool = False
) -> tuple[AsyncIterator[Any], dict[str, str]]:
    """`module(**inputs)` as dspy.streamify's stream of chunks, status and the prediction,
    with each predictor's path. `on_loop`: streamify awaits the module's own `acall`;
    else the module runs in a thread of the current loop."""
    listeners, paths = listeners_for(module, path)
    # streamify needs only `acall` and `named_predictors` (its annotation says dspy.Module),
    # and the program it returns takes the module's inputs as keywords.
    program: Any = module if on_loop else _ThreadedProgram(module)
    streamed: Any = dspy.streamify(program, stream_listeners=listeners, is_async_program=True, async_streaming=True)
    return streamed(**inputs), paths


_local = threading.local()


def run_in_thread_loop(coro: Coroutine[Any, Any, T]) -> T:
    """asyncio.run, but on a loop kept per worker thread: a new loop per run would also
    start new anyio worker threads each time. Tasks a run leaves behind are cancelled.

    The loop is never closed: async generators of earlier runs (DSPy's and LiteLLM's
    streams) may still be finalized on it. A cancelled run's program thread has finished
    before this returns (it is not abandoned), so nothing calls into the loop later."""
    loop = getattr(_local, "loop", None)
    if loop is None:
        loop = _local.loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coro)
    finally:
        leftovers = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in leftovers:
            task.cancel()
        if leftovers:
            loop.run_until_complete(asyncio.gather(*leftovers, return_exceptions=True))


async def _drive(run: RunContext, scope: CancelScope, stream: Any, paths: dict[str, str]) -> Any:
    """Emits the stream's tokens and status on `run`; returns its prediction."""
    prediction = None
    json_fields: dict[tuple[str, str], JsonFieldText] | None = {} if isinstance(dspy.settings.adapter, dspy.JSONAdapter) else None
    # Cancelling this task cancels streamify's task group; the program thread then fails
    # at its next chunk (its send stream is closed), which ends the LM request too.
    stop = scope.cancels_this_task()
    try:
        async for item in stream:
            if isinstance(item, StreamResponse):
                path, field, delta = paths.get(item.predict_name, item.predict_name), item.signature_field_name, item.chunk
                if json_fields is not None:
                    delta = json_fields.setdefault((path, field), JsonFieldText()).delta(delta, item.is_last_chunk)
                    if item.is_last_chunk:
                        del json_fields[(path, field)]
                await run.atoken(path, field, delta, item.is_last_chunk)
            elif isinstance(item, StatusMessage):
                await run.astatus(item.message)
            elif isinstance(item, dspy.Prediction):
                prediction = item
    except asyncio.CancelledError:
        scope.check()
        raise
    finally:
        stop()
    return prediction


def listeners_for(module: dspy.Module, prefix: str = "") -> tuple[list[StreamListener], dict[str, str]]:
    """A listener for every output field of every predictor, and each predictor's path
    (`prefix` when the module has only one, else `prefix/name`)."""
    predictors = module.named_predictors()
    listeners: list[StreamListener] = []
    paths: dict[str, str] = {}
    for name, predictor in predictors:
        paths[name] = prefix if len(predictors) == 1 else f"{prefix}/{name}" if prefix else name
        signature: Any = predictor.signature  # a Signature class; DSPy's annotations miss its class properties
        for field in signature.output_fields:
            listener = StreamListener(field, predict=predictor, predict_name=name, allow_reuse=True)
            _know_adapter_subclass(listener, dspy.settings.adapter)
            listeners.append(listener)
    return listeners, paths


def _know_adapter_subclass(listener: StreamListener, adapter: Any) -> None:
    """StreamListener looks adapters up by class name; a subclass (the local model's
    LocalJSONAdapter) parses like its base, so it gets the base's field markers."""
    name = type(adapter).__name__
    if adapter is None or name in listener.adapter_identifiers:
        return
    for base in (dspy.JSONAdapter, dspy.XMLAdapter, dspy.ChatAdapter):  # most specific first
        if isinstance(adapter, base):
            listener.adapter_identifiers[name] = listener.adapter_identifiers[base.__name__]
            return


class _ThreadedProgram:
    """What streamify calls: the module, run in a thread of this run's event loop (DSPy's
    own asyncify shares one CapacityLimiter across event loops, and each run has its own)."""

    def __init__(self, module: dspy.Module) -> None:
        self.module = module

    def named_predictors(self) -> list[tuple[str, Any]]:
        return self.module.named_predictors()

    async def acall(self, **kwargs: Any) -> Any:
        overrides = thread_local_overrides.get().copy()

        def call() -> Any:
            token = thread_local_overrides.set(dotdict({**thread_local_overrides.get(), **overrides}))
            try:
                with STATS.busy():
                    return self.module(**kwargs)
            finally:
                thread_local_overrides.reset(token)

        # Not abandoned on cancel: the program thread calls back into this loop (stream
        # sends, status messages) and would block for ever on a loop that stopped. A cancelled
        # run ends its thread promptly instead: its stream is closed, so the next chunk or
        # status fails, pending tool calls fail with RunCancelled, and DSPy's callbacks
        # raise it at the next module, LM or tool start.
        return await anyio.to_thread.run_sync(call, abandon_on_cancel=False)
