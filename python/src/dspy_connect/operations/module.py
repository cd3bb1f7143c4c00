# pyright: reportUnknownMemberType=false, reportUnknownArgumentType=false, reportUnknownVariableType=false, reportUnknownLambdaType=false
# (DSPy ships no type information: pyright reads much of what it returns as Unknown.)
"""A streamed module call: predict, chain_of_thought, react, or a registered module."""

from __future__ import annotations

import dataclasses

import dspy

from .. import jsonio, warmup
from ..lm import adapter_for, build_lm
from ..module_io import outputs_of, resolve_module, usage_of, validate_inputs
from ..run.agent_events import AgentEvents
from ..run.context import RunContext
from ..run.module_run import stream_module
from ..run.outcome import RunOutcome
from ..v1 import run_pb2


def run_module(run: RunContext, op: run_pb2.ModuleRun) -> RunOutcome:
    warmup.wait()
    module, signature = resolve_module(op.module, op.module_id, run.session)
    values = validate_inputs(signature, jsonio.loads_object(op.inputs_json, "inputs_json"))
    settings = run.lm_settings
    # A cache hit yields no tokens, so streamed calls ask the LM unless the caller set cache: true.
    lm = build_lm(dataclasses.replace(settings, cache=settings.cache is True))
    callbacks = [*dspy.settings.callbacks, run.callback(), AgentEvents(run)]
    with dspy.context(lm=lm, adapter=adapter_for(settings), track_usage=True, callbacks=callbacks):
        prediction = stream_module(run, module, values)
    return RunOutcome(outputs_of(prediction), usage_of(prediction))
