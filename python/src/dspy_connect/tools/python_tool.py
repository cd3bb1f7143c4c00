# pyright: reportUnknownMemberType=false, reportUnknownArgumentType=false, reportUnknownVariableType=false, reportUnknownLambdaType=false
# (DSPy ships no type information: pyright reads much of what it returns as Unknown.)
"""A Python tool registered in the worker, as a dspy.Tool whose async call keeps a sync
function off the event loop.

DSPy's `Tool.acall` calls a sync function inline. An agent on the async path runs on the
worker's event loop, so a plugin's blocking tool (a database query, `requests.get`) would
stall every run of the worker; here it runs in a thread, with the run's context (its
dspy.context, the tool call's id) carried along."""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

import dspy

__all__ = ["PythonTool"]


class PythonTool(dspy.Tool):
    async def acall(self, **kwargs: Any) -> Any:
        if inspect.iscoroutinefunction(self.func):
            return await super().acall(**kwargs)
        # The sync call runs DSPy's callbacks once, in the thread, as on the sync path.
        return await asyncio.to_thread(self.__call__, **kwargs)
