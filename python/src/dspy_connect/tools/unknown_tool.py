# pyright: reportUnknownMemberType=false, reportUnknownArgumentType=false, reportUnknownVariableType=false, reportUnknownLambdaType=false
# (DSPy ships no type information: pyright reads much of what it returns as Unknown.)
"""A tool name the model made up. DSPy's ReAct types `next_tool_name` as a Literal of its
tools, so an unknown name fails the parse and ends the whole trajectory with no word to
the model. Here the name is a plain string, and an unknown one becomes a failed tool
call: a `tool_error` event (kind `unknown_tool`) and an observation naming the real tools,
so the agent can correct itself on its next step."""

from __future__ import annotations

from typing import Any

import dspy

from ..errors import echo
from .bridged_tool import reported_failure


class AgentTools(dict[str, dspy.Tool]):
    """ReAct's tool table: a missing name gets an UnknownTool."""

    def __missing__(self, name: str) -> dspy.Tool:
        return UnknownTool(str(name), sorted(self))


class UnknownTool(dspy.Tool):
    def __init__(self, name: str, known: list[str]) -> None:
        message = f"unknown tool {echo(name)}: the tools are {', '.join(known)}"

        def fail(**_: Any) -> Any:
            raise reported_failure(name, "unknown_tool", message)

        super().__init__(fail, name=name, desc=message, args={}, arg_types={})

    def _validate_and_parse_args(self, **kwargs: Any) -> dict[str, Any]:
        return kwargs  # there is no schema to hold them to: the call fails anyway


def tolerate_unknown_tools(react: dspy.ReAct) -> dspy.ReAct:
    """Lets `react` survive a made-up tool name. The field still names the tools, as the
    Literal did, and so do ReAct's instructions."""
    # DSPy annotates ReAct.tools as the list it was given (it holds a dict by name) and
    # with_updated_fields' extras as dicts (`desc` is a string).
    agent: Any = react
    agent.tools = AgentTools(agent.tools)
    names = ", ".join(agent.tools)
    agent.react.signature = agent.react.signature.with_updated_fields("next_tool_name", type_=str, desc=f"one of {names}")
    return react
