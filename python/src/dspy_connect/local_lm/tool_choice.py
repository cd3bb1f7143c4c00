"""Agent steps a schema-constrained LM cannot get wrong: ReAct's `next_tool_name` may only
be one of the agent's tools, and `next_tool_args` must match *that* tool's arguments.

ReAct's own signature types the arguments as any dict, so a small model, even under a
grammar, writes arguments no tool takes. The agent's tools are recorded on its signature
(`constrain_tool_choice`), and the local model's adapter turns them into one JSON schema
per tool (`tool_choice_schema`), which llama.cpp enforces as a grammar.
"""

from __future__ import annotations

from typing import Any

import dspy

TOOL_ARGS = "dspy_connect_tool_args"


def constrain_tool_choice(react: dspy.ReAct) -> dspy.ReAct:
    """Records each tool's argument schema on the agent's step signature."""
    schemas = {
        name: {
            "type": "object",
            "properties": dict(tool.args or {}),
            "required": [arg for arg, schema in (tool.args or {}).items() if "default" not in schema],
        }
        for name, tool in react.tools.items()
    }
    react.react.signature = react.react.signature.with_updated_fields("next_tool_args", **{TOOL_ARGS: schemas})
    return react


def tool_choice_schema(signature: type[dspy.Signature], schema: dict[str, Any]) -> dict[str, Any]:
    """The outputs' schema as one alternative per tool; unchanged for other signatures."""
    field = signature.output_fields.get("next_tool_args")
    tools = (field.json_schema_extra or {}).get(TOOL_ARGS) if field is not None else None
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
