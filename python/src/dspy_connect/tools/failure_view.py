# pyright: reportUnknownMemberType=false, reportUnknownArgumentType=false, reportUnknownVariableType=false
# (DSPy ships no type information: pyright reads much of what it returns as Unknown.)
"""One view of a failed tool call. The agent's observation is the short message the
stream's `observation` and `tool_error` events carry: no traceback, no worker paths.

DSPy's ReAct catches a tool's exception and writes "Execution error in <tool>:" and five
frames of Python traceback into the trajectory (~1.3 KB, worker file paths included), which
a small model's token cap pays for. Here ReAct's tool table hands out tools whose failures
come back as that message instead; the traceback goes to the worker log at debug level.
DSPy's callbacks still see the exception, so the stream reports the failure as before."""

from __future__ import annotations

import logging
from typing import Any

import dspy

from .bridge import ToolFailure

log = logging.getLogger("dspy_connect.tools")


def failure_message(exception: BaseException) -> str:
    """What the agent and the stream are told about a failed tool call."""
    if isinstance(exception, ToolFailure):  # the bridge's own message (a TypeScript tool's error)
        return exception.message
    return f"{type(exception).__name__}: {exception}"


def show_failures_briefly(react: dspy.ReAct) -> dspy.ReAct:
    """`react`'s tool failures become their short message in the trajectory."""
    # DSPy annotates ReAct.tools as the list it was given (it holds a dict by name).
    agent: Any = react
    agent.tools = BriefFailures(agent.tools)
    return react


class BriefFailures(dict[str, dspy.Tool]):
    """ReAct's tool table (it only indexes it to call a tool); the table it wraps keeps its
    own lookup, such as the unknown-tool fallback."""

    def __init__(self, tools: dict[str, dspy.Tool]) -> None:
        super().__init__(tools)
        self.tools = tools

    def __getitem__(self, name: str) -> Any:
        return BriefFailure(self.tools[name])


class BriefFailure:
    """A tool, called as ReAct calls it; an Exception it raises becomes the return value."""

    def __init__(self, tool: dspy.Tool) -> None:
        self.tool = tool

    def __call__(self, **kwargs: Any) -> Any:
        try:
            return self.tool(**kwargs)
        except Exception as exc:  # what ReAct itself would catch; a cancelled run is not one
            return _shown(self.tool, exc)

    async def acall(self, **kwargs: Any) -> Any:
        try:
            return await self.tool.acall(**kwargs)
        except Exception as exc:
            return _shown(self.tool, exc)


def _shown(tool: dspy.Tool, exception: Exception) -> str:
    log.debug("tool %r failed", tool.name, exc_info=exception)
    return failure_message(exception)
