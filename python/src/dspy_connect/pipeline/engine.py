# pyright: reportUnknownMemberType=false, reportUnknownArgumentType=false, reportUnknownVariableType=false, reportUnknownLambdaType=false
# (DSPy ships no type information: pyright reads much of what it returns as Unknown.)
"""Runs a compiled pipeline inside one Run: steps in order, each streaming its tokens
with the step's path; branches evaluated on the state; parallel branches and map items on
real threads. Error policies per step: fail-fast (the default), continue-on-error, retry n
times. Cancelling the run cancels every branch.

Each thread awaits all of its steps in one asyncio loop (its own, kept per thread): a loop
run per step costs ~1.5 ms, a tenth of a streamed step."""

from __future__ import annotations

import asyncio
import functools
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import Future
from typing import Any

import dspy
import grpc

from ..cancel import SCOPE_SETTING, CancelScope, RunCancelled
from ..errors import InvalidArgument, WorkerError, echo, short_cause
from ..module_io import accepts_none, outputs_of, usage_of, validate_inputs
from ..run.agent_events import AgentEvents
from ..run.context import RunContext
from ..run.module_run import astream_module, run_in_thread_loop
from ..v1 import common_pb2
from . import threads
from .definition import (
    BranchStep,
    MapStep,
    ModuleStep,
    ParallelStep,
    Pipeline,
    Step,
    SubPipelineStep,
)
from .events import COMPLETE, ERROR, PARALLEL_COMPLETE, PARALLEL_START, START, branch_event, step_event
from .refs import MISSING, lookup, ref_text

MAX_MAP_ITEMS = 1000


class StepFailed(WorkerError):
    """A step failed. The message names the step's path; the code is that of the error
    behind it (InvalidArgument for bad data, Internal for an LM or DSPy failure...)."""

    def __init__(self, path: str, exc: BaseException) -> None:
        if isinstance(exc, WorkerError):
            code, message, cause = exc.code, exc.message, getattr(exc, "cause", type(exc).__name__)
        else:
            code, message, cause = grpc.StatusCode.INTERNAL, short_cause(exc), type(exc).__name__
        super().__init__(f"step {path!r}: {message}")
        self.code = code
        self.path = path
        self.cause = cause

    def detail(self, prefix: str = "") -> common_pb2.ErrorDetail:
        return common_pb2.ErrorDetail(code=self.code.value[0], message=prefix + self.message, cause=self.cause)


class Execution:
    def __init__(self, run: RunContext) -> None:
        self.run = run
        self.usage = common_pb2.Usage()
        self._lock = threading.Lock()
        # The callbacks in place when the run started (the user's), plus per-step ones.
        self._callbacks = list(dspy.settings.callbacks)

    def run_pipeline(self, pipeline: Pipeline, state: dict[str, Any]) -> dict[str, Any]:
        """The whole pipeline; returns the final state (its inputs and every step's outputs).
        Call it in a worker thread."""
        started = time.perf_counter()
        final, _ = run_in_thread_loop(_guarded(self.steps(pipeline, state, "", self.run), self.run))
        step_event(self.run, "", COMPLETE, "pipeline", output=final, duration_ms=_since(started))
        return final

    async def steps(
        self, pipeline: Pipeline, state: dict[str, Any], prefix: str, scope: CancelScope
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        state = dict(state)
        written: dict[str, Any] = {}
        for step in pipeline.steps:
            scope.check()
            outputs = await self.step(step, state, f"{prefix}/{step.name}" if prefix else step.name, scope)
            state.update(outputs)
            written.update(outputs)
        return state, written

    async def step(self, step: Step, state: dict[str, Any], path: str, scope: CancelScope) -> dict[str, Any]:
        attempts = 1 + step.policy.retries
        for attempt in range(1, attempts + 1):
            started = time.perf_counter()
            try:
                with self.run.trace.step(path, step.kind, attempt):
                    return await self._execute(step, state, path, scope, started)
            except RunCancelled:
                raise
            except asyncio.CancelledError:
                if scope.cancelled.is_set():  # a cancel hook of this scope fired: the run or its group
                    _settle_cancel()
                    raise RunCancelled(scope.cancel_reason) from None
                raise
            except Exception as exc:
                _settle_cancel()  # a failed stream may leave a cancel behind; the step may be retried
                failure = exc if isinstance(exc, StepFailed) else StepFailed(path, exc)
                retry = attempt < attempts and failure.code != grpc.StatusCode.INVALID_ARGUMENT
                note = f"attempt {attempt} of {attempts} failed, retrying: " if retry else ""
                step_event(self.run, path, ERROR, step.kind, error=failure.detail(note), duration_ms=_since(started))
                if retry:
                    continue
                if step.policy.mode == "continue":
                    return _skipped(step)
                raise failure from None
        raise AssertionError("unreachable")

    async def _execute(self, step: Step, state: dict[str, Any], path: str, scope: CancelScope, started: float) -> dict[str, Any]:
        if isinstance(step, ParallelStep):
            step_event(self.run, path, PARALLEL_START, step.kind, output={"branches": len(step.branches)})
            outputs = await self._parallel(step, state, path, scope)
            step_event(self.run, path, PARALLEL_COMPLETE, step.kind, output=outputs, duration_ms=_since(started))
            return outputs
        step_event(self.run, path, START, step.kind)
        if isinstance(step, ModuleStep):
            outputs = await self._module(step, state, path, scope)
        elif isinstance(step, BranchStep):
            outputs = await self._branch(step, state, path, scope)
        elif isinstance(step, MapStep):
            outputs = await self._map(step, state, path, scope)
        elif isinstance(step, SubPipelineStep):
            outputs = (await self.steps(step.pipeline, state, path, scope))[1]
        else:
            raise InvalidArgument(f"unknown step {type(step).__name__}")
        step_event(self.run, path, COMPLETE, step.kind, output=outputs, duration_ms=_since(started))
        return outputs

    # ---- step kinds ----

    async def _module(self, step: ModuleStep, state: dict[str, Any], path: str, scope: CancelScope) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, ref in step.inputs.items():
            value = lookup(state, ref)
            if value is MISSING:
                if accepts_none(step.signature.input_fields[name].annotation):
                    continue
                raise InvalidArgument(f"input {echo(name)} reads {echo(ref_text(ref))}, which is not set")
            values[name] = value
        values = validate_inputs(step.signature, values)
        callbacks = [*self._callbacks, scope.callback()]
        if step.kind == "react" or step.tools:
            callbacks.append(AgentEvents(self.run, path))  # the root run: tool calls look their step up there
        # The step's scope is current, so its tool calls fail when its branch group is cancelled.
        with dspy.context(callbacks=callbacks, **{SCOPE_SETTING: scope}):
            prediction = await astream_module(self.run, step.module, values, path=path, scope=scope)
        self._add_usage(usage_of(prediction))
        return {step.outputs.get(k, k): v for k, v in outputs_of(prediction).items()}

    async def _branch(self, step: BranchStep, state: dict[str, Any], path: str, scope: CancelScope) -> dict[str, Any]:
        value = step.condition.evaluate(state)
        taken = "then" if value else "else" if step.otherwise is not None else ""
        branch_event(self.run, path, step.condition_json, value, taken)
        chosen = step.then if value else step.otherwise
        if chosen is None:
            return {}
        return (await self.steps(chosen, state, f"{path}/{taken}", scope))[1]

    async def _parallel(self, step: ParallelStep, state: dict[str, Any], path: str, scope: CancelScope) -> dict[str, Any]:
        async def branch(index: int, group: CancelScope) -> dict[str, Any]:
            return (await self.steps(step.branches[index], state, f"{path}/{index}", group))[1]

        tasks = [functools.partial(branch, i) for i in range(len(step.branches))]
        results = await self._fan_out(tasks, scope, step.policy.mode != "continue", len(tasks))
        return step.aggregator.apply(results)

    async def _map(self, step: MapStep, state: dict[str, Any], path: str, scope: CancelScope) -> dict[str, Any]:
        items = lookup(state, step.over)
        if not isinstance(items, list):
            got = "nothing" if items is MISSING else type(items).__name__
            raise InvalidArgument(f"map reads {echo(ref_text(step.over))}, which must be a list; got {got}")
        if len(items) > MAX_MAP_ITEMS:
            raise InvalidArgument(f"map over {len(items)} items; at most {MAX_MAP_ITEMS}")

        async def item(index: int, group: CancelScope) -> Any:
            written = (await self.steps(step.pipeline, {**state, step.item: items[index]}, f"{path}/{index}", group))[1]
            return written.get(step.select) if step.select else written

        tasks = [functools.partial(item, i) for i in range(len(items))]
        return {step.into: await self._fan_out(tasks, scope, step.policy.mode != "continue", step.concurrency)}

    async def _fan_out(
        self, tasks: Sequence[Callable[[CancelScope], Awaitable[Any]]], scope: CancelScope, fail_fast: bool, concurrency: int
    ) -> list[Any]:
        """Runs tasks on threads, each in its thread's own loop, at most `concurrency` at
        once. Fail-fast: the first error cancels the others and is raised. Otherwise a
        failed task's result is None. When no thread is free a task runs here, in turn."""
        # The group's own scope: cancelled with `scope`, or on its own when a sibling fails fast.
        group, unlink = scope.child()
        first_error: list[BaseException] = []
        lock = threading.Lock()

        def failed(exc: BaseException | None) -> None:
            if exc is None or isinstance(exc, RunCancelled) or not fail_fast:
                return
            with lock:
                if first_error:
                    return
                first_error.append(exc)
            group.cancel("a parallel sibling failed")

        def on_thread(task: Callable[[CancelScope], Awaitable[Any]]) -> Any:
            return run_in_thread_loop(_guarded(task(group), group))

        futures: list[asyncio.Future[Any]] = []
        try:
            in_flight: set[asyncio.Future[Any]] = set()
            for task in tasks:
                while len(in_flight) >= concurrency:
                    _, in_flight = await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
                if group.cancelled.is_set():
                    break
                spawned: Future[Any] | None = threads.try_spawn(functools.partial(on_thread, task))
                if spawned is not None:
                    spawned.add_done_callback(lambda f: failed(f.exception()))
                    future = asyncio.wrap_future(spawned)
                else:
                    future = asyncio.get_running_loop().create_future()
                    try:
                        future.set_result(await _guarded(task(group), group))
                    except (Exception, RunCancelled) as exc:
                        _settle_cancel()
                        future.set_exception(exc)
                        failed(exc)
                futures.append(future)
                in_flight.add(future)
            if futures:
                await asyncio.wait(futures)
        finally:
            unlink()
        scope.check()  # the run (or an enclosing group) was cancelled
        if first_error:
            raise first_error[0]
        results: list[Any] = []
        for future in futures:
            exc = future.exception()
            if isinstance(exc, RunCancelled):
                raise exc
            results.append(None if exc is not None else future.result())
        return results

    def _add_usage(self, more: common_pb2.Usage) -> None:
        with self._lock:
            self.usage.prompt_tokens += more.prompt_tokens
            self.usage.completion_tokens += more.completion_tokens
            self.usage.total_tokens += more.total_tokens


def _skipped(step: Step) -> dict[str, Any]:
    """What a step that failed under continue-on-error leaves in the state: its outputs as null."""
    if isinstance(step, ModuleStep):
        return {step.outputs.get(name, name): None for name in step.output_types}
    if isinstance(step, MapStep):
        return {step.into: None}
    if isinstance(step, ParallelStep) and step.aggregator.into:
        return {step.aggregator.into: None}
    return {}


async def _guarded(work: Awaitable[Any], scope: CancelScope) -> Any:
    """A cancel hook cancels the awaiting task; whatever await it lands on, it surfaces as
    RunCancelled (hooks only fire for a cancelled scope)."""
    try:
        return await work
    except asyncio.CancelledError:
        if not scope.cancelled.is_set():
            raise
        _settle_cancel()
        raise RunCancelled(scope.cancel_reason) from None


def _settle_cancel() -> None:
    """The task goes on after a cancel became RunCancelled (a branch run inline, an outer
    continue-on-error step): clear the pending cancel so later awaits and anyio's cancel
    scopes in the next streamed step are not confused by it."""
    task = asyncio.current_task()
    while task is not None and task.cancelling():
        task.uncancel()


def _since(started: float) -> float:
    return (time.perf_counter() - started) * 1000
