"""Whether a value of one signature type may feed a field of another: used to catch
mismatches between steps when a pipeline is compiled. Lenient where pydantic would
convert at run time (int into float, a Literal of strings into str); run-time validation
of every step's inputs still applies."""

from __future__ import annotations

import types
import typing
from typing import Any

_UNIONS = (typing.Union, types.UnionType)


def compatible(produced: Any, consumed: Any) -> bool:
    if produced is Any or consumed is Any or produced == consumed:
        return True
    if consumed is float and produced is int:
        return True
    c_origin, p_origin = typing.get_origin(consumed), typing.get_origin(produced)
    if p_origin in _UNIONS:
        return all(compatible(arg, consumed) for arg in typing.get_args(produced))
    if c_origin in _UNIONS:
        return any(compatible(produced, arg) for arg in typing.get_args(consumed))
    if p_origin is typing.Literal:
        values = typing.get_args(produced)
        if c_origin is typing.Literal:
            return set(values) <= set(typing.get_args(consumed))
        return all(isinstance(v, consumed) for v in values) if isinstance(consumed, type) else False
    if c_origin is typing.Literal:
        return produced is str and all(isinstance(v, str) for v in typing.get_args(consumed))
    if consumed in (list, dict, tuple, set) and (p_origin or produced) is consumed:
        return True
    if c_origin is not None and c_origin == p_origin:
        c_args, p_args = typing.get_args(consumed), typing.get_args(produced)
        return len(c_args) == len(p_args) and all(compatible(p, c) for p, c in zip(p_args, c_args, strict=True))
    return False


def item_type(annotation: Any) -> Any:
    """The element type of a list annotation, else Any."""
    if typing.get_origin(annotation) in (list, tuple, set) and typing.get_args(annotation):
        return typing.get_args(annotation)[0]
    return Any
