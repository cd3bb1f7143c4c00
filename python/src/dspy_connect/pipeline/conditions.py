# pyright: basic
# (Being rewritten on the pipeline-contract branch, which brings it to strict; basic until then.)
"""Branch conditions: a small JSON expression language, compiled once and evaluated
against the pipeline's state. Never eval/exec/getattr: a condition can only read state
fields (dict keys and list indices), compare them, and combine the results.

    {"op": "eq", "left": {"field": "label"}, "right": {"value": "positive"}}
    {"op": "and", "args": [cond, ...]}        "or" likewise; {"op": "not", "arg": cond}
    {"op": "contains", "left": value, "right": value}   substring, list member, dict key
    {"op": "exists", "arg": value}            the field is set and not null
    {"op": "gt", "left": {"op": "len", "arg": {"field": "items"}}, "right": {"value": 3}}

Comparisons: eq ne gt gte lt lte. Values: {"field": "a.b.0"}, {"value": literal},
{"op": "len", "arg": value}. Sizes, depth and numbers are bounded when compiling.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ..errors import InvalidArgument, echo
from .refs import MISSING, Ref, lookup, parse_ref

MAX_DEPTH = 16
MAX_NODES = 256
MAX_STRING_CHARS = 10_000
MAX_LIST_ITEMS = 100
MAX_ABS_INT = 2**53
COMPARISONS = frozenset({"eq", "ne", "gt", "gte", "lt", "lte"})


class ConditionError(InvalidArgument):
    """A condition cannot be evaluated on this state (for example `"a" > 3`)."""


@dataclass(frozen=True)
class Condition:
    tree: tuple
    refs: frozenset[str]  # root field names it reads, checked against the pipeline

    def evaluate(self, state: dict[str, Any]) -> bool:
        return _truth(self.tree, state)


def compile_condition(node: Any, where: str) -> Condition:
    budget = [MAX_NODES]
    refs: set[str] = set()
    tree = _condition(node, where, 1, budget, refs)
    return Condition(tree, frozenset(refs))


def _count(budget: list[int], where: str) -> None:
    budget[0] -= 1
    if budget[0] < 0:
        raise InvalidArgument(f"{where}: the condition has more than {MAX_NODES} nodes")


def _op(node: Any, where: str, depth: int, budget: list[int]) -> str:
    if depth > MAX_DEPTH:
        raise InvalidArgument(f"{where}: the condition is nested deeper than {MAX_DEPTH} levels")
    if not isinstance(node, dict):
        raise InvalidArgument(f"{where}: a condition node must be an object, got {type(node).__name__}")
    _count(budget, where)
    op = node.get("op")
    return op if isinstance(op, str) else ""


def _condition(node: Any, where: str, depth: int, budget: list[int], refs: set[str]) -> tuple:
    op = _op(node, where, depth, budget)
    if op in ("and", "or"):
        args = node.get("args")
        if not isinstance(args, list) or not args:
            raise InvalidArgument(f"{where}: {echo(op)} needs a non-empty `args` list of conditions")
        return (op, tuple(_condition(a, where, depth + 1, budget, refs) for a in args))
    if op == "not":
        return ("not", _condition(node.get("arg"), where, depth + 1, budget, refs))
    if op == "exists":
        return ("exists", _value(node.get("arg"), where, depth + 1, budget, refs))
    if op in COMPARISONS or op == "contains":
        left = _value(node.get("left"), where, depth + 1, budget, refs)
        right = _value(node.get("right"), where, depth + 1, budget, refs)
        return (op, left, right)
    known = sorted([*COMPARISONS, "and", "or", "not", "contains", "exists"])
    raise InvalidArgument(f"{where}: unknown condition op {echo(op)}; expected one of {known}")


def _value(node: Any, where: str, depth: int, budget: list[int], refs: set[str]) -> tuple:
    if depth > MAX_DEPTH:
        raise InvalidArgument(f"{where}: the condition is nested deeper than {MAX_DEPTH} levels")
    if isinstance(node, dict) and "field" in node and len(node) == 1:
        _count(budget, where)
        ref: Ref = parse_ref(node["field"], where)
        refs.add(str(ref[0]))
        return ("field", ref)
    if isinstance(node, dict) and "value" in node and len(node) == 1:
        _count(budget, where)
        return ("value", _literal(node["value"], where))
    if _op(node, where, depth, budget) == "len":
        return ("len", _value(node.get("arg"), where, depth + 1, budget, refs))
    raise InvalidArgument(f'{where}: a value must be {{"field": name}}, {{"value": literal}} or {{"op": "len", "arg": value}}')


def _literal(value: Any, where: str, nested: bool = False) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        if abs(value) > MAX_ABS_INT:
            raise InvalidArgument(f"{where}: integer literal out of range (at most 2**53 in size)")
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidArgument(f"{where}: number literals must be finite")
        return value
    if isinstance(value, str):
        if len(value) > MAX_STRING_CHARS:
            raise InvalidArgument(f"{where}: string literal longer than {MAX_STRING_CHARS} characters")
        return value
    if isinstance(value, list) and not nested:
        if len(value) > MAX_LIST_ITEMS:
            raise InvalidArgument(f"{where}: list literal longer than {MAX_LIST_ITEMS} items")
        return [_literal(v, where, nested=True) for v in value]
    raise InvalidArgument(f"{where}: literals are null, booleans, finite numbers, strings or a flat list of them")


# ---- evaluation (depth was bounded when compiling, so recursion is bounded too) ----


def _truth(tree: tuple, state: dict[str, Any]) -> bool:
    op = tree[0]
    if op == "and":
        return all(_truth(t, state) for t in tree[1])
    if op == "or":
        return any(_truth(t, state) for t in tree[1])
    if op == "not":
        return not _truth(tree[1], state)
    if op == "exists":
        return _get(tree[1], state) is not None
    left, right = _get(tree[1], state), _get(tree[2], state)
    if op == "eq":
        return _equal(left, right)
    if op == "ne":
        return not _equal(left, right)
    if op == "contains":
        return _contains(left, right)
    return _order(op, left, right)


def _get(tree: tuple, state: dict[str, Any]) -> Any:
    kind = tree[0]
    if kind == "value":
        return tree[1]
    if kind == "field":
        value = lookup(state, tree[1])
        return None if value is MISSING else value
    inner = _get(tree[1], state)
    if isinstance(inner, (str, list, tuple, dict)):
        return len(inner)
    raise ConditionError(f"len() needs a string, list or object, got {_kind(inner)}")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _equal(left: Any, right: Any) -> bool:
    # JSON semantics: true is not 1, and 1 equals 1.0.
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if _is_number(left) and _is_number(right):
        return left == right
    if type(left) is not type(right) and not (isinstance(left, (list, tuple)) and isinstance(right, (list, tuple))):
        return False
    if isinstance(left, (list, tuple)):
        return len(left) == len(right) and all(_equal(a, b) for a, b in zip(left, right, strict=True))
    return bool(left == right)


def _contains(container: Any, item: Any) -> bool:
    if isinstance(container, str):
        if not isinstance(item, str):
            raise ConditionError(f"contains on a string needs a string, got {_kind(item)}")
        return item in container
    if isinstance(container, (list, tuple)):
        return any(_equal(element, item) for element in container)
    if isinstance(container, dict):
        return isinstance(item, str) and item in container
    if container is None:
        return False
    raise ConditionError(f"contains needs a string, list or object on the left, got {_kind(container)}")


def _order(op: str, left: Any, right: Any) -> bool:
    if not ((_is_number(left) and _is_number(right)) or (isinstance(left, str) and isinstance(right, str))):
        raise ConditionError(f"{op} compares two numbers or two strings, got {_kind(left)} and {_kind(right)}")
    if op == "gt":
        return left > right
    if op == "gte":
        return left >= right
    if op == "lt":
        return left < right
    return left <= right


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if _is_number(value):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "list"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__
