"""What a tool may be called, read from tool_names.proto's `tool_names` file option.
@dspy-connect/client reads the same option, so `defineTool` refuses the names the worker
refuses, with the same words; the worker checks again for clients that skip it."""

from __future__ import annotations

import re
from typing import Any, cast

from ..errors import echo
from ..v1 import tool_names_pb2

# cast: the generated stubs type an extension as a plain FieldDescriptor.
_EXTENSION = cast(Any, tool_names_pb2.tool_names)
RULES = cast(tool_names_pb2.ToolNameRules, tool_names_pb2.DESCRIPTOR.GetOptions().Extensions[_EXTENSION])
_NAME = re.compile(RULES.pattern)


def tool_name_problem(name: str) -> str | None:
    """Why `name` cannot name a tool, or None when it can."""
    if not _NAME.fullmatch(name):
        return f"tool name {echo(name)} must be {RULES.rule}"
    if name in RULES.reserved:
        return f"tool name {echo(name)} is reserved: DSPy's agents have a tool of that name, which would replace this one"
    return None


__all__ = ["RULES", "tool_name_problem"]
