"""Python-native tools that agents (react) may use, by name. Only registered tools can be
named by a client: the registry is the allowlist.

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

from .errors import InvalidArgument

F = TypeVar("F", bound=Callable[..., Any])
_tools: dict[str, dspy.Tool] = {}


@overload
def register_tool(fn: F) -> F: ...
@overload
def register_tool(*, name: str | None = None, description: str | None = None) -> Callable[[F], F]: ...


def register_tool(fn: Any = None, *, name: str | None = None, description: str | None = None) -> Any:
    """Registers a function as a tool. Its arguments' type hints become the tool's schema."""

    def decorate(func: F) -> F:
        tool = dspy.Tool(func, name=name, desc=description)
        _tools[tool.name] = tool
        return func

    return decorate(fn) if fn is not None else decorate


def tool_names() -> list[str]:
    return sorted(_tools)


def python_tools(names: list[str]) -> list[dspy.Tool]:
    unknown = [n for n in names if n not in _tools]
    if unknown:
        raise InvalidArgument(f"unknown tool(s) {unknown}; this worker allows {tool_names()}")
    return [_tools[n] for n in names]
