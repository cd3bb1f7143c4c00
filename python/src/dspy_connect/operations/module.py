# pyright: reportUnknownMemberType=false, reportUnknownArgumentType=false, reportUnknownVariableType=false, reportUnknownLambdaType=false
# (DSPy ships no type information: pyright reads much of what it returns as Unknown.)
"""A streamed module call: predict, chain_of_thought, react, or a registered module.

It starts on the worker's event loop. A module with an async path (DSPy's own modules)
runs there to the end; one with only a sync `forward` (a user's plugin) goes to a pool
thread (run/module_run.py)."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any

import dspy

from .. import jsonio, warmup
from ..lm import adapter_for, build_lm
from ..module_io import outputs_of, resolve_module, usage_of, validate_inputs
from ..run.agent_events import AgentEvents
from ..run.async_path import has_async_path, is_plain_predictor
from ..run.context import RunContext
from ..run.module_run import stream_module, stream_module_on_loop
from ..run.outcome import RunOutcome
from ..v1 import run_pb2

InThread = Callable[..., Awaitable[Any]]


async def run_module(run: RunContext, op: run_pb2.ModuleRun, in_thread: InThread) -> RunOutcome:
    if not warmup.is_done():
        await asyncio.to_thread(warmup.wait_done)  # LiteLLM is still loading: not on the loop
    warmup.wait()  # raises if the warm-up failed
    module, signature = resolve_module(op.module, op.module_id, run.session)
    values = validate_inputs(signature, jsonio.loads_object(op.inputs_json, "inputs_json"))
    settings = run.lm_settings
    # A cache hit yields no tokens, so streamed calls ask the LM unless the caller set cache: true.
    lm = build_lm(dataclasses.replace(settings, cache=settings.cache is True))
    on_loop = has_async_path(module)
    callbacks = [*dspy.settings.callbacks]
    if not (on_loop and is_plain_predictor(module)):
        callbacks += [run.callback(), AgentEvents(run)]
    with dspy.context(lm=lm, adapter=adapter_for(settings), track_usage=True, callbacks=callbacks):
        if on_loop:
            prediction = await stream_module_on_loop(run, module, values)
        else:  # in_thread carries the dspy.context along
            prediction = await in_thread(stream_module, run, module, values)
    return RunOutcome(outputs_of(prediction), usage_of(prediction))
