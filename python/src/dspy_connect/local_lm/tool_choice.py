# pyright: reportUnknownMemberType=false, reportUnknownArgumentType=false, reportUnknownVariableType=false, reportUnknownLambdaType=false
# (DSPy ships no type information: pyright reads much of what it returns as Unknown.)
"""Agent steps a schema-constrained LM cannot get wrong: ReAct's `next_tool_name` may only
be one of the agent's tools, and `next_tool_args` must match *that* tool's arguments.

ReAct's own signature types the arguments as any dict, so a small model, even under a
grammar, writes arguments no tool takes. The agent's tools are recorded on its signature
(`constrain_tool_choice`), and the local model's adapter turns them into one JSON schema
per tool (`tool_choice_schema`), which llama.cpp enforces as a grammar.
"""

from __future__ import annotations

from typing import Any, cast

import dspy

TOOL_ARGS = "dspy_connect_tool_args"


def constrain_tool_choice(react: dspy.ReAct) -> dspy.ReAct:
    """Records each tool's argument schema on the agent's step signature."""
    # DSPy annotates ReAct.tools as the list it was given (it holds a dict by name) and
    # with_updated_fields' extras as dicts (they are any JSON value).
    agent: Any = react
    schemas = {
        name: {
            "type": "object",
            "properties": dict(tool.args or {}),
            "required": [arg for arg, schema in (tool.args or {}).items() if "default" not in schema],
        }
        for name, tool in agent.tools.items()
    }
    agent.react.signature = agent.react.signature.with_updated_fields("next_tool_args", **{TOOL_ARGS: schemas})
    return react


def tool_choice_schema(signature: type[dspy.Signature], schema: dict[str, Any]) -> dict[str, Any]:
    """The outputs' schema as one alternative per tool; unchanged for other signatures."""
    fields: dict[str, Any] = dict(cast(Any, signature).output_fields)  # a class property DSPy's annotations miss
    field = fields.get("next_tool_args")
    extra: Any = field.json_schema_extra if field is not None else None
    tools: dict[str, Any] | None = (extra or {}).get(TOOL_ARGS)
    if not tools or "next_tool_name" not in schema.get("properties", {}):
        return schema
    variants = [
        {
            "type": "object",
            "properties": {**schema["properties"], "next_tool_name": {"const": name}, "next_tool_args": args},
            "required": schema.get("required", []),
        }
        for name, args in tools.items()
    ]
    return {"anyOf": variants, **({"$defs": schema["$defs"]} if "$defs" in schema else {})}
