# pyright: reportUnknownMemberType=false, reportUnknownArgumentType=false, reportUnknownVariableType=false, reportUnknownLambdaType=false
# (DSPy ships no type information: pyright reads much of what it returns as Unknown.)
"""How an agent shows the model a tool's result that is a list.

ReAct puts each observation in its trajectory and shows it through DSPy's ChatAdapter, which
formats a list as numbered text blobs and raises TypeError on any item that is not a string:
a tool that returned [3, 4] ended the run with INTERNAL. Here such a list is shown as JSON,
as DSPy shows a dict. The trajectory itself (the run's result, its events) keeps the value."""

from __future__ import annotations

from typing import Any

import dspy

from .. import jsonio


def show_lists_as_json(react: dspy.ReAct) -> dspy.ReAct:
    # ReAct formats its trajectory in a method of its own; no hook reaches it but replacing it.
    agent: Any = react
    format_trajectory = agent._format_trajectory

    def formatted(trajectory: dict[str, Any]) -> Any:
        return format_trajectory({key: _shown(value) for key, value in trajectory.items()})

    agent._format_trajectory = formatted
    return react


def _shown(value: Any) -> Any:
    if isinstance(value, list) and not all(isinstance(item, str) for item in value):
        return jsonio.dumps(value).decode()
    return value
