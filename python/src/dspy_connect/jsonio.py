"""JSON in and out of the typed proto envelopes. Client bytes are only ever parsed
as JSON: never pickle, never eval."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pydantic

from .errors import InvalidArgument

MAX_JSON_DEPTH = 64


def loads_object(data: bytes, what: str) -> dict[str, Any]:
    """Parses a JSON object; empty bytes mean {}."""
    value = loads(data, what) if data else {}
    if not isinstance(value, dict):
        raise InvalidArgument(f"{what} must be a JSON object, got {type(value).__name__}")
    return value


def loads(data: bytes, what: str) -> Any:
    try:
        value = json.loads(data)
    except (UnicodeDecodeError, ValueError) as exc:  # ValueError: JSONDecodeError, or an int past 4300 digits
        raise InvalidArgument(f"{what} is not valid JSON: {exc}") from None
    except RecursionError:
        raise InvalidArgument(f"{what} is nested too deeply") from None
    _check_depth(value, what)
    return value


def _check_depth(value: Any, what: str) -> None:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise InvalidArgument(f"{what} is nested deeper than {MAX_JSON_DEPTH} levels")
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)


def dumps(value: Any) -> bytes:
    return json.dumps(value, default=_to_jsonable, ensure_ascii=False, separators=(",", ":")).encode()


def _to_jsonable(value: Any) -> Any:
    if isinstance(value, pydantic.BaseModel):
        return value.model_dump(mode="json")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if hasattr(value, "toDict"):  # dspy.Prediction / dspy.Example
        return value.toDict()
    return str(value)
