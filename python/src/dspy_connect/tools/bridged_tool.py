# pyright: reportUnknownMemberType=false, reportUnknownArgumentType=false, reportUnknownVariableType=false, reportUnknownLambdaType=false
# (DSPy ships no type information: pyright reads much of what it returns as Unknown.)
"""A TypeScript tool as an ordinary dspy.Tool: agents call it like any other tool, on the
sync path (`tool(**args)`, blocking its thread) or the async one (`await tool.acall(...)`).

It holds only the tool's name and schema; each call goes over the bridge of the run that
is current when it is made, so a module kept in a session works in every later run."""

from __future__ import annotations

from typing import Any

import dspy
from dspy.utils.callback import ACTIVE_CALL_ID, with_callbacks

from .. import jsonio
from ..errors import InvalidArgument, echo
from ..v1 import common_pb2
from .bridge import ToolBridge, ToolFailure, current_bridge


class BridgedTool(dspy.Tool):
    @classmethod
    def from_spec(cls, spec: common_pb2.ToolSpec) -> BridgedTool:
        schema = (
            jsonio.loads_object(spec.input_schema_json, f"tool {echo(spec.name)} input_schema_json")
            if spec.input_schema_json
            else {}
        )
        properties = jsonio.as_object(schema.get("properties", {}))
        if schema.get("type", "object") != "object" or properties is None:
            raise InvalidArgument(f"tool {echo(spec.name)}: its input schema must be a JSON object schema with properties")
        name = spec.name

        def call(**kwargs: Any) -> Any:
            return _bridge(name).call(name, kwargs, ACTIVE_CALL_ID.get())

        # DSPy shows each argument's schema to the model; `required` lives on the whole object.
        required: set[Any] = set(schema.get("required", []))
        args = {k: _standalone(v, schema) | ({} if k in required else {"default": None}) for k, v in properties.items()}
        return cls(func=call, name=name, desc=spec.description or name, args=args, arg_types=dict.fromkeys(args, Any))

    def _validate_and_parse_args(self, **kwargs: Any) -> dict[str, Any]:
        # Arguments the model made up get a clear observation without a round trip; the
        # client validates again against the full schema before the tool runs.
        try:
            return super()._validate_and_parse_args(**kwargs)
        except ValueError as exc:
            raise reported_failure(
                self.name or "", "invalid_args", f"invalid arguments for tool {echo(self.name)}: {exc}"
            ) from None

    @with_callbacks
    async def acall(self, **kwargs: Any) -> Any:
        parsed = self._validate_and_parse_args(**kwargs)
        return await _bridge(self.name or "").acall(self.name or "", parsed, ACTIVE_CALL_ID.get())


def _standalone(value: Any, root: dict[str, Any]) -> dict[str, Any]:
    """One argument's schema as a document of its own: DSPy checks each argument alone, so
    `$ref`s into the tool's `$defs` (zod emits them for recursive types) need those
    definitions beside them, and an argument that is only a `$ref` its target's type."""
    arg = jsonio.as_object(value)
    if arg is None:
        raise InvalidArgument(f"argument schemas must be JSON objects, got {echo(value)}")
    definitions: dict[str, Any] = {key: root[key] for key in ("$defs", "definitions") if isinstance(root.get(key), dict)}
    if not definitions:
        return arg
    ref = arg.get("$ref")
    if isinstance(ref, str) and "type" not in arg:
        *_, kind, target = ["", "", *ref.split("/")]
        found = jsonio.as_object(definitions.get(kind, {}).get(target))
        if found is not None:
            arg = {**found, **{k: v for k, v in arg.items() if k != "$ref"}}
    return {**arg, **definitions}


def _bridge(name: str) -> ToolBridge:
    bridge = current_bridge()
    if bridge is None or not bridge.has(name):
        raise reported_failure(name, "unknown_tool", f"TypeScript tool {echo(name)} is not available on this run")
    return bridge


def reported_failure(name: str, kind: str, message: str) -> ToolFailure:
    """A ToolFailure, reported as a `tool_error` event too."""
    bridge = current_bridge()
    if bridge is not None:
        bridge.tool_error(ACTIVE_CALL_ID.get() or "", name, kind, message)
    return ToolFailure(kind, message)
