"""JSON in and out of the typed proto envelopes. Client bytes are only ever parsed
as JSON: never pickle, never eval."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable
from typing import Any, cast

import pydantic

from .errors import InvalidArgument
from .limits import MAX_JSON_DEPTH

# A `\ud800` escape parses to a lone surrogate, which no UTF-8 text (an LM request, a
# protobuf string, a reply) can carry.
_SURROGATE = re.compile("[\ud800-\udfff]")


def loads_object(data: bytes, what: str) -> dict[str, Any]:
    """Parses a JSON object; empty bytes mean {}."""
    value: Any = loads(data, what) if data else {}
    if not isinstance(value, dict):
        raise InvalidArgument(f"{what} must be a JSON object, got {type(value).__name__}")
    return cast("dict[str, Any]", value)  # JSON object keys are strings


def as_object(value: object) -> dict[str, Any] | None:
    """`value` if it is a JSON object (a dict: JSON's keys are strings), else None."""
    return cast("dict[str, Any]", value) if isinstance(value, dict) else None


def as_array(value: object) -> list[Any] | None:
    """`value` if it is a JSON array (a list), else None."""
    return cast("list[Any]", value) if isinstance(value, list) else None


def as_objects(value: object) -> list[dict[str, Any]] | None:
    """`value` if it is a JSON array of objects, else None."""
    array = as_array(value)
    if array is None or not all(isinstance(item, dict) for item in array):
        return None
    return cast("list[dict[str, Any]]", array)


def loads(data: bytes, what: str) -> Any:
    """Strict JSON: UTF-8, no NaN or Infinity, no lone surrogates, at most MAX_JSON_DEPTH deep."""
    try:
        value = json.loads(data, parse_constant=lambda name: _refuse_constant(name, what))
    except (UnicodeDecodeError, ValueError) as exc:  # ValueError: JSONDecodeError, or an int past 4300 digits
        raise InvalidArgument(f"{what} is not valid JSON: {exc}") from None
    except RecursionError:
        raise InvalidArgument(f"{what} is nested deeper than {MAX_JSON_DEPTH} levels") from None
    _check_tree(value, what)
    return value


def _refuse_constant(name: str, what: str) -> Any:
    raise InvalidArgument(f"{what} holds {name}, which JSON does not allow")


def _check_tree(value: Any, what: str) -> None:
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise InvalidArgument(f"{what} is nested deeper than {MAX_JSON_DEPTH} levels")
        if isinstance(item, str):
            _check_text(item, what)
        elif isinstance(item, dict):
            for key, child in cast("dict[str, Any]", item).items():
                _check_text(key, what)
                stack.append((child, depth + 1))
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in cast("list[Any]", item))


def _check_text(text: str, what: str) -> None:
    if not text.isascii() and _SURROGATE.search(text):
        raise InvalidArgument(f"{what} holds a lone surrogate (a \\uD800-\\uDFFF escape without its pair), which is not text")


def dumps(value: Any) -> bytes:
    return json.dumps(value, default=_to_jsonable, ensure_ascii=False, separators=(",", ":")).encode()


def _to_jsonable(value: Any) -> Any:
    if isinstance(value, pydantic.BaseModel):
        return value.model_dump(mode="json")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(cast("Iterable[Any]", value))
    to_dict = getattr(value, "toDict", None)  # dspy.Prediction / dspy.Example
    if callable(to_dict):
        return to_dict()
    return str(value)
