"""Field references into a pipeline's state: dotted names such as `answer`, `doc.title` or
`items.0`. Only dict keys and list indices are followed, never attributes, and a segment
must start with a letter, so `__class__` and friends cannot even be written."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, cast

from ..errors import InvalidArgument, echo
from .limits import LIMITS

MAX_REF_CHARS = LIMITS.max_ref_chars
MAX_REF_SEGMENTS = LIMITS.max_ref_parts
_NAME = re.compile(LIMITS.field_name_pattern)
# ASCII digits only: Python's \d also matches other scripts' digits, JavaScript's does not.
_INDEX = re.compile(LIMITS.index_pattern)

Ref = tuple[str | int, ...]


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


def parse_ref(text: Any, where: str) -> Ref:
    if not isinstance(text, str) or not text or len(text) > MAX_REF_CHARS:
        raise InvalidArgument(f"{where}: a field reference must be a string of 1..{MAX_REF_CHARS} characters")
    parts = text.split(".")
    if len(parts) > MAX_REF_SEGMENTS:
        raise InvalidArgument(f"{where}: field reference {echo(text)} has more than {MAX_REF_SEGMENTS} parts")
    if not _NAME.fullmatch(parts[0]):
        raise InvalidArgument(f"{where}: field reference {echo(text)} must start with a field name")
    ref: list[str | int] = []
    for part in parts:
        if _NAME.fullmatch(part):
            ref.append(part)
        elif _INDEX.fullmatch(part):
            ref.append(int(part))
        else:
            raise InvalidArgument(f"{where}: invalid part {echo(part, 40)} in field reference {echo(text)}")
    return tuple(ref)


def check_name(name: Any, where: str) -> str:
    """A plain field name (a state key), such as an aggregator's `into`."""
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise InvalidArgument(f"{where}: {echo(name)} is not a field name ({LIMITS.field_name_rule})")
    return name


def lookup(state: dict[str, Any], ref: Ref) -> Any:
    """The value at `ref`, or MISSING. Follows only dict keys and list indices."""
    value: Any = state
    for part in ref:
        if isinstance(part, int):
            if not isinstance(value, (list, tuple)) or part >= len(cast("Sequence[Any]", value)):
                return MISSING
            value = cast("Sequence[Any]", value)[part]
        else:
            if not isinstance(value, dict) or part not in value:
                return MISSING
            value = cast("dict[str, Any]", value)[part]
    return value


def ref_text(ref: Ref) -> str:
    return ".".join(str(p) for p in ref)
