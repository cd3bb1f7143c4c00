"""Sends fuzz cases to a worker over a raw gRPC channel and tallies what comes back.

Every request goes out as bytes (identity serializers), so a case may carry bytes that do
not parse; a Run is played like a client: it answers tool calls and cancels as its plan
says, and it must end with a `done` or a status. The verdict on each answer: only typed
codes, INTERNAL only where the LM (or a command) really failed, never UNKNOWN."""

from __future__ import annotations

import asyncio
import collections
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import grpc
from grpc_health.v1 import health_pb2

from dspy_connect.v1 import run_pb2, worker_pb2

from .fuzz_inputs import FuzzCase, RunPlan, path_of

# Answers that are right for bad input whatever the case.
TYPED = {"OK", "INVALID_ARGUMENT", "NOT_FOUND", "FAILED_PRECONDITION", "RESOURCE_EXHAUSTED", "UNAUTHENTICATED"}
# A hang guard, far above any case's real time; hitting it is a failure.
CASE_TIMEOUT_S = 60.0
_NAMES = {code.value[0]: code.name for code in grpc.StatusCode}
_RESPONSES = {
    "Describe": worker_pb2.DescribeResponse,
    "CreateSession": worker_pb2.CreateSessionResponse,
    "CloseSession": worker_pb2.CloseSessionResponse,
    "Call": worker_pb2.CallResponse,
    "Health.Check": health_pb2.HealthCheckResponse,
}


@dataclass
class Answer:
    code: str  # a status code name, or NO_DONE for a Run that ended without one
    detail: str = ""
    cause: str = ""  # the error's type, where the worker names it
    inner: list[tuple[str, str]] = field(default_factory=list)  # (code, cause) of batch items and pipeline steps
    # A Run's stream that failed after its `done` arrived (issue 12, defect 1: the worker closes
    # the stream while the client is still sending). The run's end was delivered; counted apart.
    after_done: str = ""


@dataclass
class Tally:
    sent: collections.Counter = field(default_factory=collections.Counter)  # per RPC
    codes: collections.Counter = field(default_factory=collections.Counter)  # (RPC, code)
    inner: collections.Counter = field(default_factory=collections.Counter)  # item/step error codes
    lm_failures: int = 0  # INTERNAL answers whose cause is the LM
    after_done: collections.Counter = field(default_factory=collections.Counter)  # stream errors after a done
    violations: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def table(self) -> str:
        rpcs = sorted(self.sent)
        codes = sorted({code for _, code in self.codes})
        lines = ["| RPC | sent | " + " | ".join(codes) + " |", "|---" * (len(codes) + 2) + "|"]
        lines.extend(
            f"| {rpc} | {self.sent[rpc]} | " + " | ".join(str(self.codes[rpc, c] or "") for c in codes) + " |" for rpc in rpcs
        )
        total = sum(self.sent.values())
        lines.append(
            f"| all | {total} | "
            + " | ".join(str(sum(n for (_, c), n in self.codes.items() if c == code)) for code in codes)
            + " |"
        )
        lines.append(f"batch item / pipeline step errors: {dict(self.inner)}; INTERNAL from LM failures: {self.lm_failures}")
        lines.append(f"Run streams that failed after their done arrived: {dict(self.after_done) or 0}")
        lines.append(f"{total} inputs in {self.seconds:.1f} s; {len(self.violations)} untyped answers")
        return "\n".join(lines)


# A pipeline step's failure names its step, then the error: "step 'predict_0': LMServerError: ...".
_STEP_LM_FAILURE = re.compile(r"step '[^']*': LM\w+: ")


def is_lm_failure(cause: str, detail: str = "") -> bool:
    """DSPy's LM errors (LMInvalidRequestError, LMServerError, ...): the model failed."""
    return cause.startswith("LM") or (cause == "StepFailed" and _STEP_LM_FAILURE.match(detail) is not None)


def verdict(case: FuzzCase, answer: Answer) -> str | None:
    """Why `answer` is wrong for `case`, or None."""
    problems = [_judge(case, answer.code, answer.cause, answer.detail)] + [
        _judge(case, c, cause, "") for c, cause in answer.inner
    ]
    problems = [p for p in problems if p]
    if not problems:
        return None
    return f"{case.rpc} [{case.label}]: {problems[0]} {answer.detail[:300]!r}"


def _judge(case: FuzzCase, code: str, cause: str, detail: str) -> str | None:
    if code in TYPED or (code == "CANCELLED" and case.cancels):
        return None
    if code == "INTERNAL" and (case.internal_ok or is_lm_failure(cause, detail)):
        return None
    return f"{code} ({cause or 'no cause'})"


class Fuzzer:
    def __init__(self, channel: grpc.aio.Channel, metadata: list[tuple[str, str]] | None = None, concurrency: int = 8) -> None:
        self.channel = channel
        self.metadata = metadata
        self.concurrency = concurrency
        self.tally = Tally()

    async def run(self, cases: Iterable[FuzzCase]) -> Tally:
        started = time.perf_counter()
        gate = asyncio.Semaphore(self.concurrency)

        async def one(case: FuzzCase) -> None:
            async with gate:
                answer = await self.send(case)
            self.record(case, answer)

        await asyncio.gather(*(one(case) for case in cases))
        self.tally.seconds += time.perf_counter() - started
        return self.tally

    def record(self, case: FuzzCase, answer: Answer) -> None:
        self.tally.sent[case.rpc] += 1
        self.tally.codes[case.rpc, answer.code] += 1
        self.tally.lm_failures += answer.code == "INTERNAL" and is_lm_failure(answer.cause, answer.detail)
        for code, _ in answer.inner:
            self.tally.inner[code] += 1
        if answer.after_done:
            self.tally.after_done[answer.after_done] += 1
        problem = verdict(case, answer)
        if problem:
            self.tally.violations.append(problem)

    async def send(self, case: FuzzCase) -> Answer:
        try:
            if case.rpc == "Run":
                return await self._run(case.request)
            body = case.request if case.raw else case.request.SerializeToString()
            if case.rpc == "Health.Watch":
                return await self._watch(body)
            reply = await self.channel.unary_unary(path_of(case.rpc))(body, timeout=CASE_TIMEOUT_S, metadata=self.metadata)
            _RESPONSES[case.rpc].FromString(reply)  # the worker's answer parses
            return Answer("OK")
        except grpc.aio.AioRpcError as exc:
            return _error_answer(exc)

    async def _watch(self, body: bytes) -> Answer:
        call = self.channel.unary_stream(path_of("Health.Watch"))(body, timeout=CASE_TIMEOUT_S, metadata=self.metadata)
        try:
            async for reply in call:
                health_pb2.HealthCheckResponse.FromString(reply)
                return Answer("OK")
            return Answer("NO_STATUS", "the watch ended without a status")
        finally:
            call.cancel()

    async def _run(self, plan: RunPlan) -> Answer:
        queue: asyncio.Queue = asyncio.Queue()
        for message in [*plan.first, *plan.extra]:
            queue.put_nowait(message)
        if not plan.first:
            queue.put_nowait(None)  # a stream with no message at all

        async def outgoing():
            while (message := await queue.get()) is not None:
                yield message if isinstance(message, bytes) else message.SerializeToString()

        call = self.channel.stream_stream(path_of("Run"))(outgoing(), timeout=CASE_TIMEOUT_S, metadata=self.metadata)
        events, inner, done, cancel_at = 0, [], None, plan.cancel_after_events
        try:
            async for raw in call:
                response = run_pb2.RunResponse.FromString(raw)
                kind = response.WhichOneof("kind")
                if kind == "events":
                    events += len(response.events.events)
                    inner.extend(_inner_errors(response.events.events))
                    if cancel_at is not None and events >= cancel_at:
                        queue.put_nowait(run_pb2.RunRequest(cancel=run_pb2.RunCancel(reason="fuzz")))
                        cancel_at = None
                elif kind == "tool_call":
                    for message in _answer_tool(plan, response.tool_call):
                        queue.put_nowait(message)
                elif kind == "done":
                    done = response.done
                    queue.put_nowait(None)  # nothing more to send: half-close, as a client does
        except grpc.aio.AioRpcError as exc:
            if done is None:
                answer = _error_answer(exc)
                answer.inner = inner
                return answer
            after_done = f"{exc.code().name}: {exc.details()}"
        else:
            after_done = ""
        finally:
            queue.put_nowait(None)
        if done is None:
            return Answer("NO_DONE", "the stream ended without a done", inner=inner)
        if done.HasField("error"):
            return Answer(
                _NAMES.get(done.error.code, str(done.error.code)), done.error.message, done.error.cause, inner, after_done
            )
        return Answer("OK", inner=inner, after_done=after_done)


def _answer_tool(plan: RunPlan, call: run_pb2.ToolCall) -> list[Any]:
    if plan.tool_reply == "result":
        return [
            run_pb2.RunRequest(tool_output=run_pb2.ToolOutput(call_id=call.call_id, chunk_json=plan.tool_payload)),
            run_pb2.RunRequest(tool_result=run_pb2.ToolResult(call_id=call.call_id, output_json=plan.tool_payload)),
        ]
    if plan.tool_reply == "error":
        return [
            run_pb2.RunRequest(tool_result=run_pb2.ToolResult(call_id=call.call_id, error=plan.tool_error, error_kind="error"))
        ]
    if plan.tool_reply == "corrupt":
        return [plan.tool_payload]
    if plan.tool_reply == "cancel":
        return [run_pb2.RunRequest(cancel=run_pb2.RunCancel(reason="fuzz"))]
    return [run_pb2.RunRequest(tool_result=run_pb2.ToolResult(call_id=call.call_id, output_json=b"null"))]


def _inner_errors(events: Iterable[run_pb2.Event]) -> list[tuple[str, str]]:
    """The error codes batch items and pipeline steps report on their own."""
    found = []
    for event in events:
        kind = event.WhichOneof("kind")
        error = event.item.error if kind == "item" else event.step.error if kind == "step" else None
        if error is not None and error.code:
            found.append((_NAMES.get(error.code, str(error.code)), error.cause))
    return found


def _error_answer(exc: grpc.aio.AioRpcError) -> Answer:
    detail = exc.details() or ""
    # A unary INTERNAL says "DSPy call failed: <Type>: message".
    cause = detail.split(": ", 2)[1] if exc.code() == grpc.StatusCode.INTERNAL and detail.count(": ") >= 2 else ""
    return Answer(exc.code().name, detail, cause)
