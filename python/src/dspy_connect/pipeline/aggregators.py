"""How a parallel step combines its branches' outputs: the contract's `Aggregator` message
(pipeline.proto). Data, not code: a kind and the fields it reads and writes.

    concat   {field, into, separator?}   every branch's field in one list, or one joined string
    majority {field, into}               the value most branches gave
    first    {field, into}               the first non-empty value
    merge    {field?, into?}             merged objects (all outputs when no field)
    best     {by, field?, into?, order}  the branch with the highest (or lowest) `by`

Branches that failed under a continue-on-error policy are passed as None and skipped.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sized
from dataclasses import dataclass
from typing import Any, cast

from ..errors import InvalidArgument
from ..v1 import pipeline_pb2
from .limits import LIMITS
from .refs import check_name

KINDS = ("concat", "majority", "first", "merge", "best")
_Order = pipeline_pb2.BestAggregator.Order
_DESCENDING = {_Order.ORDER_UNSPECIFIED: True, _Order.ORDER_MAX: True, _Order.ORDER_MIN: False}


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

    @property
    def target(self) -> str:
        """`into` where the aggregator always has one (compile sets it to `field`)."""
        if self.into is None:
            raise ValueError(f"the {self.kind} aggregator has no field to write")
        return self.into

    @property
    def source(self) -> str:
        """`field` where the aggregator needs one (compile checks it)."""
        if self.field is None:
            raise ValueError(f"the {self.kind} aggregator has no field to read")
        return self.field

    @property
    def rank_by(self) -> str:
        if self.by is None:
            raise ValueError("the best aggregator has no `by`")
        return self.by

    def reads(self) -> list[str]:
        return [f for f in (self.field, self.by) if f]

    def apply(self, outputs: list[dict[str, Any] | None]) -> dict[str, Any]:
        ok = [o for o in outputs if o is not None]
        return _APPLY[self.kind](self, ok)


def compile_aggregator(node: pipeline_pb2.Aggregator, where: str) -> Aggregator:
    kind = node.WhichOneof("kind")
    if kind is None:
        raise InvalidArgument(f"{where}: `aggregate` needs one of {list(KINDS)}")
    body = getattr(node, kind)
    field = check_name(body.field, where) if body.field else None
    into = check_name(body.into, where) if body.into else None
    by = None
    separator = None
    descending = True
    if isinstance(body, pipeline_pb2.ConcatAggregator) and body.HasField("separator"):
        separator = body.separator
        if len(separator) > LIMITS.max_separator_chars:
            raise InvalidArgument(f"{where}: `separator` must be a string of at most {LIMITS.max_separator_chars} characters")
    if isinstance(body, pipeline_pb2.BestAggregator):
        if not body.by:
            raise InvalidArgument(f"{where}: the best aggregator needs `by`, the numeric field to rank branches by")
        by = check_name(body.by, where)
        if body.order not in _DESCENDING:
            raise InvalidArgument(f"{where}: unknown `order` {body.order}; expected ORDER_MAX or ORDER_MIN")
        descending = _DESCENDING[body.order]
    if kind in ("concat", "majority", "first") and field is None:
        raise InvalidArgument(f"{where}: the {kind} aggregator needs a `field`")
    if field is not None and into is None:
        into = field
    return Aggregator(kind, field, into, by, separator, descending)


def _values(agg: Aggregator, outputs: list[dict[str, Any]]) -> list[Any]:
    return [o[agg.source] for o in outputs if agg.source in o]


def _concat(agg: Aggregator, outputs: list[dict[str, Any]]) -> dict[str, Any]:
    items: list[Any] = []
    for value in _values(agg, outputs):
        if isinstance(value, list):
            items.extend(cast(list[Any], value))
        elif value is not None:
            items.append(value)
    if agg.separator is not None:
        return {agg.target: agg.separator.join(v if isinstance(v, str) else json.dumps(v) for v in items)}
    return {agg.target: items}


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
        return {agg.target: None}
    best = max(counts.values())
    winner = next(k for k in first_seen if counts[k] == best)  # ties: the earliest branch's value
    return {agg.target: first_seen[winner]}


def _empty(value: Any) -> bool:
    return (
        value is None
        or (isinstance(value, (str, list, dict)) and len(cast(Sized, value)) == 0)
        or (isinstance(value, str) and not value.strip())
    )


def _first(agg: Aggregator, outputs: list[dict[str, Any]]) -> dict[str, Any]:
    return {agg.target: next((v for v in _values(agg, outputs) if not _empty(v)), None)}


def _merge(agg: Aggregator, outputs: list[dict[str, Any]]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    if agg.field is None:
        for output in outputs:
            merged.update(output)
        return {agg.target: merged} if agg.into else merged
    for value in _values(agg, outputs):
        if isinstance(value, dict):
            merged.update(cast(dict[str, Any], value))
    return {agg.target: merged}


def _best(agg: Aggregator, outputs: list[dict[str, Any]]) -> dict[str, Any]:
    ranked = [o for o in outputs if isinstance(o.get(agg.rank_by), (int, float)) and not isinstance(o.get(agg.rank_by), bool)]
    if not ranked:
        return {agg.target: None} if agg.into else {}
    pick = max if agg.descending else min
    best = pick(ranked, key=lambda o: o[agg.rank_by])  # ties: the earliest branch
    if agg.field is not None:
        return {agg.target: best.get(agg.field)}
    return {agg.target: best} if agg.into else dict(best)


_APPLY: dict[str, Callable[[Aggregator, list[dict[str, Any]]], dict[str, Any]]] = {
    "concat": _concat,
    "majority": _majority,
    "first": _first,
    "merge": _merge,
    "best": _best,
}
