# pyright: reportUnknownMemberType=false, reportUnknownArgumentType=false, reportUnknownVariableType=false, reportUnknownLambdaType=false
# (DSPy ships no type information: pyright reads much of what it returns as Unknown.)
"""A pipeline run: the composer's whole pipeline in one Run, every step streamed."""

from __future__ import annotations

import dataclasses

import dspy

from .. import jsonio, warmup
from ..errors import InvalidArgument, NotFound, echo
from ..lm import adapter_for, build_lm
from ..pipeline import Pipeline, compile_pipeline
from ..pipeline.engine import Execution
from ..run.context import RunContext
from ..run.outcome import RunOutcome
from ..session import Session
from ..v1 import run_pb2

MAX_PIPELINE_ID_CHARS = 128


def run_pipeline(run: RunContext, op: run_pb2.PipelineRun) -> RunOutcome:
    warmup.wait()
    pipeline = resolve_pipeline(op, run.session)
    state = pipeline.validate_inputs(jsonio.loads_object(op.inputs_json, "inputs_json"))
    settings = run.lm_settings
    # A cache hit yields no tokens, so streamed steps ask the LM unless the caller set cache: true.
    lm = build_lm(dataclasses.replace(settings, cache=settings.cache is True))
    with dspy.context(lm=lm, adapter=adapter_for(settings), track_usage=True):
        execution = Execution(run)
        final = execution.run_pipeline(pipeline, state)
    return RunOutcome(final, execution.usage)


def resolve_pipeline(op: run_pb2.PipelineRun, session: Session | None) -> Pipeline:
    """The session's pipeline under `pipeline_id` (compiled on first use), or a new one."""
    if op.definition_json:  # deprecated field: the JSON definition of earlier clients
        raise InvalidArgument("definition_json is no longer read: send the pipeline as `definition` (a PipelineDefinition)")
    sent = op.HasField("definition")
    if not op.pipeline_id:
        if not sent:
            raise InvalidArgument("a pipeline run needs a `definition` (or a pipeline_id the session holds)")
        return compile_pipeline(op.definition)
    if len(op.pipeline_id) > MAX_PIPELINE_ID_CHARS or not op.pipeline_id.isprintable():
        raise InvalidArgument(f"pipeline_id must be 1..{MAX_PIPELINE_ID_CHARS} printable characters")
    if session is None:
        raise InvalidArgument("pipeline_id needs a session")
    if not sent and not session.has_pipeline(op.pipeline_id):
        raise NotFound(f"session {echo(session.id)} holds no pipeline {echo(op.pipeline_id)}; send its definition")
    return session.pipeline(op.pipeline_id, lambda: compile_pipeline(op.definition))
