"""The tools agents (react) may use, by name: Python-native tools registered in the worker
(the registry is the allowlist) and the TypeScript tools the current run brought. Python
tools stay in Python; only TypeScript tools cross the bridge, and both mix in one agent.

    from dspy_connect.tools import register_tool

    @register_tool
    def lookup(city: str) -> str:
        "Population of a city."
        ...
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, overload

import dspy

from ..errors import InvalidArgument, echo
from ..registry import Registry
from .bridge import current_bridge
from .bridged_tool import BridgedTool
from .python_tool import PythonTool
from .streamed_tool import streamed
from .tool_names import tool_name_problem

F = TypeVar("F", bound=Callable[..., Any])
TOOLS: Registry[dspy.Tool] = Registry("tool")


@overload
def register_tool(fn: F) -> F: ...
@overload
def register_tool(*, name: str | None = None, description: str | None = None) -> Callable[[F], F]: ...


def register_tool(fn: Any = None, *, name: str | None = None, description: str | None = None) -> Any:
    """Registers a function as a tool. Its arguments' type hints become the tool's schema.
    A generator function streams: each chunk it yields is a `tool_output` event, and the
    joined chunks (one string when all are strings) are the observation."""

    def decorate(func: F) -> F:
        problem = tool_name_problem(name or func.__name__)
        if problem is not None:
            raise ValueError(problem)  # at import: the plugin's mistake
        tool = PythonTool(func=streamed(func, name or func.__name__), name=name, desc=description)
        TOOLS.add(tool.name or func.__name__, tool)
        return func

    return decorate(fn) if fn is not None else decorate


def tool_names() -> list[str]:
    return TOOLS.names()


def agent_tools(names: list[str]) -> list[dspy.Tool]:
    """The named tools. A TypeScript tool of the current run takes precedence over a Python
    tool of the same name."""
    bridge = current_bridge()
    bridged = bridge.specs if bridge is not None else {}
    unknown = [n for n in names if n not in bridged and n not in TOOLS]
    if unknown:
        raise InvalidArgument(
            f"unknown tool(s) {echo(unknown)}; this worker allows {echo(tool_names(), 300)}"
            + (f" and this run brought {echo(sorted(bridged), 300)}" if bridged else "")
        )
    return [BridgedTool.from_spec(bridged[n]) if n in bridged else TOOLS.get(n) for n in names]
