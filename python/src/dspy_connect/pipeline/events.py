"""Step and branch events on the run's channel (the wire's StepEvent / BranchEvent)."""

from __future__ import annotations

from typing import Any

from .. import jsonio
from ..run.context import RunContext
from ..v1 import common_pb2, run_pb2

Phase = run_pb2.StepEvent.Phase
START = run_pb2.StepEvent.PHASE_START
COMPLETE = run_pb2.StepEvent.PHASE_COMPLETE
ERROR = run_pb2.StepEvent.PHASE_ERROR
PARALLEL_START = run_pb2.StepEvent.PHASE_PARALLEL_START
PARALLEL_COMPLETE = run_pb2.StepEvent.PHASE_PARALLEL_COMPLETE


def step_event(
    run: RunContext,
    path: str,
    phase: Phase,
    step_type: str,
    output: Any = None,
    error: common_pb2.ErrorDetail | None = None,
    duration_ms: float = 0.0,
) -> None:
    event = run_pb2.StepEvent(path=path, phase=phase, step_type=step_type, duration_ms=duration_ms)
    if output is not None:
        event.output_json = jsonio.dumps(output)
    if error is not None:
        event.error.CopyFrom(error)
    run.channel.put(run_pb2.Event(step=event))


def branch_event(run: RunContext, path: str, condition: Any, value: bool, taken: str) -> None:
    event = run_pb2.BranchEvent(path=path, condition_json=jsonio.dumps(condition), value=value, taken=taken)
    run.channel.put(run_pb2.Event(branch=event))
