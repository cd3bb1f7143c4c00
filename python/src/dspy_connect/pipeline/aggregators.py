# pyright: basic, reportArgumentType=false, reportReturnType=false
# (Being rewritten on the pipeline-contract branch, which brings it to strict; until then basic, and
# `into` (str | None) used as a dict key where the kind guarantees it is set is not reported.)
"""How a parallel step combines its branches' outputs. Data, not code: a kind and the
fields it reads and writes.

    {"kind": "concat",   "field": "answer", "into": "answers", "separator": "\\n"?}
    {"kind": "majority", "field": "answer", "into": "answer"}
    {"kind": "first",    "field": "answer", "into": "answer"}    first non-empty value
    {"kind": "merge",    "field": "facts"?, "into": "facts"?}    merge objects (all outputs when no field)
    {"kind": "best",     "by": "confidence", "field": "answer"?, "into": "answer"?, "order": "max" | "min"}

Branches that failed under a continue-on-error policy are passed as None and skipped.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import InvalidArgument, echo
from .refs import check_name

KINDS = ("concat", "majority", "first", "merge", "best")
MAX_SEPARATOR_CHARS = 100


@dataclass(frozen=True)
class Aggregator:
    kind: str
    field: str | None
    into: str | None
    by: str | None = None
    separator: str | None = None
    descending: bool = True

    def writes(self) -> str | None:
        """The state field it writes; None when it writes the chosen branch's outputs."""
        return self.into

    def reads(self) -> list[str]:
        return [f for f in (self.field, self.by) if f]

    def apply(self, outputs: list[dict[str, Any] | None]) -> dict[str, Any]:
        ok = [o for o in outputs if o is not None]
        return _APPLY[self.kind](self, ok)


def compile_aggregator(node: Any, where: str) -> Aggregator:
    if not isinstance(node, dict):
        raise InvalidArgument(f"{where}: `aggregate` must be an object with a `kind`")
    kind = node.get("kind")
    if kind not in KINDS:
        raise InvalidArgument(f"{where}: unknown aggregator {echo(kind)}; expected one of {list(KINDS)}")
    unknown = sorted(set(node) - {"kind", "field", "into", "by", "separator", "order"})
    if unknown:
        raise InvalidArgument(f"{where}: unknown aggregator option(s) {unknown}")
    field = check_name(node["field"], where) if node.get("field") is not None else None
    into = check_name(node["into"], where) if node.get("into") is not None else None
    by = check_name(node["by"], where) if node.get("by") is not None else None
    separator = node.get("separator")
    if separator is not None and (not isinstance(separator, str) or len(separator) > MAX_SEPARATOR_CHARS):
        raise InvalidArgument(f"{where}: `separator` must be a string of at most {MAX_SEPARATOR_CHARS} characters")
    order = node.get("order", "max")
    if order not in ("max", "min"):
        raise InvalidArgument(f"{where}: `order` must be 'max' or 'min'")
    if kind in ("concat", "majority", "first") and field is None:
        raise InvalidArgument(f"{where}: the {kind} aggregator needs a `field`")
    if kind == "best" and by is None:
        raise InvalidArgument(f"{where}: the best aggregator needs `by`, the numeric field to rank branches by")
    if separator is not None and kind != "concat":
        raise InvalidArgument(f"{where}: `separator` applies to concat only")
    if field is not None and into is None:
        into = field
    return Aggregator(kind, field, into, by, separator, order == "max")


def _values(agg: Aggregator, outputs: list[dict[str, Any]]) -> list[Any]:
    return [o[agg.field] for o in outputs if agg.field in o]


def _concat(agg: Aggregator, outputs: list[dict[str, Any]]) -> dict[str, Any]:
    items: list[Any] = []
    for value in _values(agg, outputs):
        if isinstance(value, list):
            items.extend(value)
        elif value is not None:
            items.append(value)
    if agg.separator is not None:
        return {agg.into: agg.separator.join(v if isinstance(v, str) else json.dumps(v) for v in items)}
    return {agg.into: items}


def _majority(agg: Aggregator, outputs: list[dict[str, Any]]) -> dict[str, Any]:
    counts: dict[str, int] = {}
    first_seen: dict[str, Any] = {}
    for value in _values(agg, outputs):
        if value is None:
            continue
        key = json.dumps(value, sort_keys=True, default=str)
        counts[key] = counts.get(key, 0) + 1
        first_seen.setdefault(key, value)
    if not counts:
        return {agg.into: None}
    best = max(counts.values())
    winner = next(k for k in first_seen if counts[k] == best)  # ties: the earliest branch's value
    return {agg.into: first_seen[winner]}


def _empty(value: Any) -> bool:
    return (
        value is None
        or (isinstance(value, (str, list, dict)) and len(value) == 0)
        or (isinstance(value, str) and not value.strip())
    )


def _first(agg: Aggregator, outputs: list[dict[str, Any]]) -> dict[str, Any]:
    return {agg.into: next((v for v in _values(agg, outputs) if not _empty(v)), None)}


def _merge(agg: Aggregator, outputs: list[dict[str, Any]]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    if agg.field is None:
        for output in outputs:
            merged.update(output)
        return {agg.into: merged} if agg.into else merged
    for value in _values(agg, outputs):
        if isinstance(value, dict):
            merged.update(value)
    return {agg.into: merged}


def _best(agg: Aggregator, outputs: list[dict[str, Any]]) -> dict[str, Any]:
    ranked = [o for o in outputs if isinstance(o.get(agg.by), (int, float)) and not isinstance(o.get(agg.by), bool)]
    if not ranked:
        return {agg.into: None} if agg.into else {}
    pick = max if agg.descending else min
    best = pick(ranked, key=lambda o: o[agg.by])  # ties: the earliest branch
    if agg.field is not None:
        return {agg.into: best.get(agg.field)}
    return {agg.into: best} if agg.into else dict(best)


_APPLY: dict[str, Callable[[Aggregator, list[dict[str, Any]]], dict[str, Any]]] = {
    "concat": _concat,
    "majority": _majority,
    "first": _first,
    "merge": _merge,
    "best": _best,
}
