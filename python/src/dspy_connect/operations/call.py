# pyright: reportUnknownMemberType=false, reportUnknownArgumentType=false, reportUnknownVariableType=false, reportUnknownLambdaType=false
# (DSPy ships no type information: pyright reads much of what it returns as Unknown.)
"""One unary module call (the Call RPC). A module with an async path is awaited on the
event loop; one with only a sync `forward` runs in a worker thread."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import dspy

from .. import warmup
from ..cancel import CancelScope
from ..lm import LmSettings, adapter_for, build_lm
from ..module_io import outputs_of, resolve_module, usage_of, validate_inputs
from ..run.async_path import has_async_path, is_plain_predictor
from ..run.cancellable import until_cancelled
from ..run.stats import STATS
from ..session import Session
from ..v1 import common_pb2


@dataclass
class CallOutcome:
    outputs: dict[str, Any]
    usage: common_pb2.Usage


async def execute(
    spec: common_pb2.ModuleSpec,
    module_id: str,
    session: Session | None,
    inputs: dict[str, Any],
    lm_settings: LmSettings,
    scope: CancelScope,
    in_thread: Callable[..., Awaitable[Any]],
) -> CallOutcome:
    """Runs one call; `scope` cancelled (the client gave up) stops it, LM request included.
    Await it in a task of its own: it sets the call's dspy.context there."""
    if not warmup.is_done():
        await asyncio.to_thread(warmup.wait_done)  # LiteLLM is still loading: not on the loop
    warmup.wait()
    scope.check()
    module, signature = resolve_module(spec, module_id, session)
    values = validate_inputs(signature, inputs)
    lm = build_lm(lm_settings)
    on_loop = has_async_path(module)
    callbacks = [*dspy.settings.callbacks]
    if not (on_loop and is_plain_predictor(module)):  # on the loop, cancelling the task stops it
        callbacks.append(scope.callback())
    # A trace of the call's own (dspy.Refine and BestOfN extend it), dropped with the call:
    # the worker keeps no global one.
    context = dspy.context(lm=lm, adapter=adapter_for(lm_settings), track_usage=True, callbacks=callbacks, trace=[])
    with STATS.busy(), context:
        if on_loop:
            prediction = await until_cancelled(scope, module.acall(**values))
        else:  # stops at its next module, LM or tool start (the scope's callback)
            prediction = await in_thread(functools.partial(module, **values))
    return CallOutcome(outputs=outputs_of(prediction), usage=usage_of(prediction))
