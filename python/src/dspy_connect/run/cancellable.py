# pyright: reportUnknownMemberType=false, reportUnknownArgumentType=false, reportUnknownVariableType=false, reportUnknownLambdaType=false
# (DSPy ships no type information: pyright reads much of what it returns as Unknown.)
"""Runs a module so that cancelling its scope stops it at once, LM request included."""

from __future__ import annotations

import asyncio
from typing import Any

import dspy

from ..cancel import CancelScope
from .module_run import run_in_thread_loop

__all__ = ["run_cancellable"]


def run_cancellable(scope: CancelScope, module: dspy.Module, inputs: dict[str, Any]) -> Any:
    """`module(**inputs)` on this thread. A module with an async path runs it on the thread's
    loop, and a cancel cancels that task, which closes the LM's HTTP request. A module with
    only `forward` stops at its next module, LM or tool start (the scope's DSPy callback)."""
    if not callable(getattr(type(module), "aforward", None)):
        return module(**inputs)
    return run_in_thread_loop(_until_cancelled(scope, module.acall(**inputs)))


async def _until_cancelled(scope: CancelScope, call: Any) -> Any:
    stop = scope.cancels_this_task()
    try:
        return await call
    except asyncio.CancelledError:
        scope.check()  # RunCancelled when it was the scope; else a cancel of our own
        raise
    finally:
        stop()
