"""The WorkerService RPCs. Handlers run on the event loop, and so does DSPy's async path
(module runs and calls); other DSPy work goes to the `dspy` threads."""

from __future__ import annotations

import asyncio
import contextvars
import functools
import logging
import os
import platform
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import dspy
import grpc

from .. import commands, jsonio, lm, metrics, modules, protocol, warmup
from ..cancel import CancelScope, RunCancelled
from ..errors import Internal, WorkerError, short_cause
from ..lm_environment import missing_keys
from ..operations import call
from ..run.stats import STATS
from ..session import SessionStore
from ..telemetry import RunTrace, resident_bytes
from ..telemetry.attributes import CALL_SPAN, call_attributes
from ..tools.registry import tool_names
from ..v1 import run_pb2, worker_pb2, worker_pb2_grpc
from .admission import AdmissionGate
from .grpc_types import Context
from .run_handler import RunHandler

log = logging.getLogger("dspy_connect.worker")
T = TypeVar("T")

CAPABILITIES = ["call", "sessions", "health", "run.module", "run.batch", "run.optimize", "run.command", "run.pipeline"]


class WorkerService(worker_pb2_grpc.WorkerServiceServicer):
    def __init__(self, worker_id: str, default_lm: lm.LmSettings | None, max_concurrency: int) -> None:
        self.worker_id = worker_id
        self.default_lm = default_lm
        self.max_concurrency = max_concurrency
        self.sessions = SessionStore()
        self.executor = ThreadPoolExecutor(max_workers=max_concurrency, thread_name_prefix="dspy")
        self.runs = RunHandler(self.sessions, default_lm, self.in_thread, worker_id)
        # Runs and calls wait here while the event loop lags (a CPU-saturated worker).
        self.admission = AdmissionGate()

    async def in_thread(self, fn: Callable[..., T], *args: Any) -> T:
        """Runs DSPy code in the pool, carrying contextvars (dspy.context, tracing) along."""
        ctx = contextvars.copy_context()
        return await asyncio.get_running_loop().run_in_executor(self.executor, functools.partial(ctx.run, fn, *args))

    async def Describe(self, request: worker_pb2.DescribeRequest, context: Context) -> worker_pb2.DescribeResponse:
        if request.wait_for_warm_up:
            await asyncio.get_running_loop().run_in_executor(None, warmup.wait_done)  # off the event loop
        warmed_up = warmup.is_done()
        return worker_pb2.DescribeResponse(
            warmed_up=warmed_up,
            warm_up_pid=warmup.ran_in_pid(),
            # The check imports LiteLLM, which only the warm-up may do (~5 s).
            lm_missing_keys=self._default_lm_missing_keys() if warmed_up else [],
            worker_id=self.worker_id,
            worker_version=protocol.worker_version(),
            protocol_version=protocol.protocol_version(),
            dspy_version=dspy.__version__,
            python_version=platform.python_version(),
            grpc_version=grpc.__version__,
            pid=os.getpid(),
            capabilities=CAPABILITIES,
            lm=self.default_lm.public() if self.default_lm else None,
            module_types=modules.module_types(),
            tools=tool_names(),
            metrics=metrics.metric_names(),
            commands=commands.command_names(),
            active_sessions=len(self.sessions),
            max_concurrency=self.max_concurrency,
            active_runs=STATS.active_runs,
            busy_threads=STATS.busy_threads,
            runs_total=STATS.runs_total,
            runs_cancelled=STATS.runs_cancelled,
            calls_abandoned=STATS.calls_abandoned,
            rss_bytes=resident_bytes(),
            waiting=self.admission.waiting,
            loop_lag_ms=self.admission.lag_s * 1000,
        )

    def _default_lm_missing_keys(self) -> list[str]:
        settings = self.default_lm
        if settings is None:
            return []
        return missing_keys(settings.model, settings.api_key, settings.api_base)

    async def CreateSession(self, request: worker_pb2.CreateSessionRequest, context: Context) -> worker_pb2.CreateSessionResponse:
        try:
            session = self.sessions.create(request.session_id, lm.settings_from_proto(request.lm), request.ttl_seconds)
        except WorkerError as exc:
            error = exc
        else:
            return worker_pb2.CreateSessionResponse(session_id=session.id, ttl_seconds=session.ttl_seconds)
        return await context.abort(error.code, error.message)  # abort raises

    async def CloseSession(self, request: worker_pb2.CloseSessionRequest, context: Context) -> worker_pb2.CloseSessionResponse:
        return worker_pb2.CloseSessionResponse(closed=self.sessions.close(request.session_id))

    async def Call(self, request: worker_pb2.CallRequest, context: Context) -> worker_pb2.CallResponse:
        started = time.perf_counter()
        trace = RunTrace.start(
            CALL_SPAN, request.trace if request.HasField("trace") else None, lambda: call_attributes(request, self.worker_id)
        )
        scope = CancelScope()
        try:
            async with self.admission.admitted():
                response = await self._call(request, trace, started, scope)
        except WorkerError as exc:
            error = exc
        except BaseException as exc:  # the client went away (CancelledError): abort, deadline
            scope.cancel("the client cancelled the call")
            STATS.abandoned()
            trace.finish(short_cause(exc), error_type=type(exc).__name__, status_code=grpc.StatusCode.CANCELLED.value[0])
            raise
        else:
            trace.finish()
            return response
        trace.finish(error.message, error_type=type(error).__name__, status_code=error.code.value[0])
        return await context.abort(error.code, error.message)  # abort raises

    async def _call(
        self, request: worker_pb2.CallRequest, trace: RunTrace, started: float, scope: CancelScope
    ) -> worker_pb2.CallResponse:
        """The Call's work; raises WorkerError (Internal for a failure inside DSPy)."""
        try:
            session = self.sessions.get(request.session_id) if request.session_id else None
            chosen = lm.resolve(
                lm.settings_from_proto(request.lm) if request.HasField("lm") else None,
                session.lm if session else None,
                self.default_lm,
            )
            settings = lm.resolve(lm.with_retries(chosen, request.retries if request.HasField("retries") else None))
            inputs = jsonio.loads_object(request.inputs_json, "inputs_json")
            # A task of its own: the call's dspy.context and span stay in it.
            work = call.execute(request.module, request.module_id, session, inputs, settings, scope, self.in_thread)
            outcome = await asyncio.ensure_future(_in_span(trace, work))
            return worker_pb2.CallResponse(
                outputs_json=jsonio.dumps(outcome.outputs),
                usage=outcome.usage,
                duration_ms=(time.perf_counter() - started) * 1000,
                worker_id=self.worker_id,
            )
        except WorkerError:
            raise
        except RunCancelled:
            raise asyncio.CancelledError from None  # the client is gone; nothing to answer
        except Exception as exc:  # a failure inside DSPy or the LM
            log.warning("call failed: %s", short_cause(exc, 2000))
            raise Internal(f"DSPy call failed: {short_cause(exc)}") from exc

    async def Run(self, request_iterator: AsyncIterator[run_pb2.RunRequest], context: Context) -> None:
        async with self.admission.admitted():
            await self.runs.handle(request_iterator, context)

    def close(self) -> None:
        self.admission.stop()
        self.executor.shutdown(wait=False, cancel_futures=True)


async def _in_span(trace: RunTrace, work: Awaitable[T]) -> T:
    with trace.active():
        return await work
