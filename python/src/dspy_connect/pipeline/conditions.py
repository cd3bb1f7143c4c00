"""Branch conditions: the contract's `Condition` message (pipeline.proto), compiled once into
a small tuple tree and evaluated against the pipeline's state. Never eval/exec/getattr: a
condition can only read state fields (dict keys and list indices), compare them, and
combine the results.

    compare {op, left, right}   eq ne gt gte lt lte, and contains (substring, list member, dict key)
    all_of / any_of {conditions} negate <condition>   exists <operand> (set and not null)
    operands: field "a.b.0", literal <JSON value>, length <operand>

Depth, node count, literals and numbers are bounded (LIMITS) when compiling.
"""

from __future__ import annotations

import math
from collections.abc import Sequence, Sized
from dataclasses import dataclass
from typing import Any, cast

from google.protobuf import struct_pb2

from ..errors import InvalidArgument
from ..v1 import pipeline_pb2
from .limits import LIMITS
from .refs import MISSING, Ref, lookup, parse_ref

# A compiled condition or value: (op, operand, ...), nested; built only by compile_condition.
Tree = tuple[Any, ...]

_Op = pipeline_pb2.Comparison.Op
# The comparison ops by the names the evaluator uses.
_OPS = {
    _Op.OP_EQ: "eq",
    _Op.OP_NE: "ne",
    _Op.OP_GT: "gt",
    _Op.OP_GTE: "gte",
    _Op.OP_LT: "lt",
    _Op.OP_LTE: "lte",
    _Op.OP_CONTAINS: "contains",
}


class ConditionError(InvalidArgument):
    """A condition cannot be evaluated on this state (for example `"a" > 3`)."""


@dataclass(frozen=True)
class Condition:
    tree: Tree
    refs: frozenset[str]  # root field names it reads, checked against the pipeline

    def evaluate(self, state: dict[str, Any]) -> bool:
        return _truth(self.tree, state)


def compile_condition(node: pipeline_pb2.Condition, where: str) -> Condition:
    budget = [LIMITS.max_condition_nodes]
    refs: set[str] = set()
    tree = _condition(node, where, 1, budget, refs)
    return Condition(tree, frozenset(refs))


def _enter(where: str, depth: int, budget: list[int]) -> None:
    if depth > LIMITS.max_condition_depth:
        raise InvalidArgument(f"{where}: the condition is nested deeper than {LIMITS.max_condition_depth} levels")
    budget[0] -= 1
    if budget[0] < 0:
        raise InvalidArgument(f"{where}: the condition has more than {LIMITS.max_condition_nodes} nodes")


def _condition(node: pipeline_pb2.Condition, where: str, depth: int, budget: list[int], refs: set[str]) -> Tree:
    _enter(where, depth, budget)
    kind = node.WhichOneof("kind")
    if kind in ("all_of", "any_of"):
        args = getattr(node, kind).conditions
        if not args:
            raise InvalidArgument(f"{where}: {kind} needs at least one condition")
        return ("and" if kind == "all_of" else "or", tuple(_condition(a, where, depth + 1, budget, refs) for a in args))
    if kind == "negate":
        return ("not", _condition(node.negate, where, depth + 1, budget, refs))
    if kind == "exists":
        return ("exists", _value(node.exists, where, depth + 1, budget, refs))
    if kind == "compare":
        op = _OPS.get(node.compare.op)
        if op is None:
            raise InvalidArgument(f"{where}: unknown comparison op {node.compare.op}; expected one of {sorted(_OPS.values())}")
        left = _value(node.compare.left, where, depth + 1, budget, refs)
        right = _value(node.compare.right, where, depth + 1, budget, refs)
        return (op, left, right)
    raise InvalidArgument(f"{where}: a condition needs one of compare, all_of, any_of, negate or exists")


def _value(node: pipeline_pb2.Operand, where: str, depth: int, budget: list[int], refs: set[str]) -> Tree:
    _enter(where, depth, budget)
    kind = node.WhichOneof("kind")
    if kind == "field":
        ref: Ref = parse_ref(node.field, where)
        refs.add(str(ref[0]))
        return ("field", ref)
    if kind == "literal":
        return ("value", _literal(node.literal, where))
    if kind == "length":
        return ("len", _value(node.length, where, depth + 1, budget, refs))
    raise InvalidArgument(f"{where}: an operand needs one of field, literal or length")


def _literal(value: struct_pb2.Value, where: str, nested: bool = False) -> Any:
    kind = value.WhichOneof("kind")
    if kind == "null_value":
        return None
    if kind == "bool_value":
        return value.bool_value
    if kind == "number_value":
        return _number(value.number_value, where)
    if kind == "string_value":
        if len(value.string_value) > LIMITS.max_string_literal_chars:
            raise InvalidArgument(f"{where}: string literal longer than {LIMITS.max_string_literal_chars} characters")
        return value.string_value
    if kind == "list_value" and not nested:
        items = value.list_value.values
        if len(items) > LIMITS.max_list_literal_items:
            raise InvalidArgument(f"{where}: list literal longer than {LIMITS.max_list_literal_items} items")
        return [_literal(v, where, nested=True) for v in items]
    raise InvalidArgument(f"{where}: literals are null, booleans, finite numbers, strings or a flat list of them")


def _number(number: float, where: str) -> float | int:
    """Numbers travel as doubles (as in JSON); an integral one is read as an int."""
    if not math.isfinite(number):
        raise InvalidArgument(f"{where}: number literals must be finite")
    if number.is_integer():
        if abs(number) > LIMITS.max_abs_integer_literal:
            raise InvalidArgument(f"{where}: integer literal out of range (±{LIMITS.max_abs_integer_literal:.0f} at most)")
        return int(number)
    return number


# ---- evaluation (depth was bounded when compiling, so recursion is bounded too) ----


def _truth(tree: Tree, state: dict[str, Any]) -> bool:
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


def _get(tree: Tree, state: dict[str, Any]) -> Any:
    kind = tree[0]
    if kind == "value":
        return tree[1]
    if kind == "field":
        value = lookup(state, tree[1])
        return None if value is MISSING else value
    inner = _get(tree[1], state)
    if isinstance(inner, (str, list, tuple, dict)):
        return len(cast(Sized, inner))
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
        items, others = cast(Sequence[Any], left), cast(Sequence[Any], right)
        return len(items) == len(others) and all(_equal(a, b) for a, b in zip(items, others, strict=False))
    return bool(left == right)


def _contains(container: Any, item: Any) -> bool:
    if isinstance(container, str):
        if not isinstance(item, str):
            raise ConditionError(f"contains on a string needs a string, got {_kind(item)}")
        return item in container
    if isinstance(container, (list, tuple)):
        return any(_equal(element, item) for element in cast(Sequence[Any], container))
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
