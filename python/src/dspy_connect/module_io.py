# pyright: reportUnknownMemberType=false, reportUnknownArgumentType=false, reportUnknownVariableType=false, reportUnknownLambdaType=false
# (DSPy ships no type information: pyright reads much of what it returns as Unknown.)
"""A module's inputs and outputs: which instance serves a call, inputs checked against its
signature, outputs and LM usage read off its prediction."""

from __future__ import annotations

import functools
import types
import typing
from typing import Any

import dspy
import pydantic

from . import limits
from .errors import InvalidArgument, cut, echo
from .jsonio import as_object
from .modules import build_module, module_for_call
from .session import Session
from .signature import type_name
from .v1 import common_pb2


def resolve_module(
    spec: common_pb2.ModuleSpec, module_id: str, session: Session | None
) -> tuple[dspy.Module, type[dspy.Signature]]:
    """The session's module under `module_id` (built on first use), or one for this call."""
    if module_id:
        limits.check_id(module_id, "module_id")
    if session is not None and module_id:
        return session.module(module_id, lambda: build_module(spec))
    if module_id:
        raise InvalidArgument("module_id needs a session")
    return module_for_call(spec)


def validate_inputs(signature: type[dspy.Signature], inputs: dict[str, Any]) -> dict[str, Any]:
    """Checks inputs against the signature's input fields: names, presence, types."""
    fields = signature.input_fields
    unknown = sorted(set(inputs) - set(fields))
    if unknown:
        raise InvalidArgument(f"unknown input field(s) {echo(unknown)}; expected {echo(sorted(fields), 300)}")
    return validate_values({name: info.annotation for name, info in fields.items()}, inputs, "input")


def validate_values(annotations: dict[str, Any], values: dict[str, Any], what: str) -> dict[str, Any]:
    """The present values, validated against their types (pydantic); missing ones that cannot
    be None are an InvalidArgument, as is a value of the wrong type (`what` names them)."""
    validated: dict[str, Any] = {}
    missing: list[str] = []
    for name, annotation in annotations.items():
        if name not in values:
            if not accepts_none(annotation):
                missing.append(name)
            continue
        try:
            validated[name] = _adapter(annotation).validate_python(values[name])
        except pydantic.ValidationError as exc:
            detail = exc.errors()[0]["msg"] if exc.errors() else str(exc)
            raise InvalidArgument(
                f"{what} {echo(name)} does not match its type {cut(type_name(annotation), 200)}: {cut(str(detail), 200)}"
            ) from None
    if missing:
        raise InvalidArgument(f"missing {what}(s) {echo(missing, 300)}")
    return validated


# Bounded: clients choose the types (each Literal[...] is one), and a kept adapter costs ~12 KB.
MAX_TYPE_ADAPTERS = 1024


@functools.lru_cache(maxsize=MAX_TYPE_ADAPTERS)
def _adapter(annotation: Any) -> pydantic.TypeAdapter[Any]:
    return pydantic.TypeAdapter(annotation)


def accepts_none(annotation: Any) -> bool:
    if annotation is Any:
        return True
    origin = typing.get_origin(annotation)
    return origin in (typing.Union, types.UnionType) and type(None) in typing.get_args(annotation)


def outputs_of(prediction: Any) -> dict[str, Any]:
    if isinstance(prediction, dspy.Prediction):
        return dict(prediction.toDict())
    found = as_object(prediction)
    return found if found is not None else {"output": prediction}


def usage_of(prediction: Any) -> common_pb2.Usage:
    usage = common_pb2.Usage()
    per_model = prediction.get_lm_usage() if isinstance(prediction, dspy.Prediction) else None
    for counts in (per_model or {}).values():
        usage.prompt_tokens += int(counts.get("prompt_tokens") or 0)
        usage.completion_tokens += int(counts.get("completion_tokens") or 0)
        usage.total_tokens += int(counts.get("total_tokens") or 0)
    return usage
