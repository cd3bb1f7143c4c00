# pyright: reportUnknownMemberType=false, reportUnknownArgumentType=false, reportUnknownVariableType=false, reportUnknownLambdaType=false
# (DSPy ships no type information: pyright reads much of what it returns as Unknown.)
"""Builds DSPy signatures from client strings without DSPy's own string parser,
which imports unknown names as modules and follows attribute access. Types come
only from an allowlist (plus types registered by the worker's plugins)."""

from __future__ import annotations

import ast
import functools
import keyword
import typing
from typing import Any

import dspy
from dspy.signatures.signature import make_signature

from .errors import InvalidArgument, cut, echo
from .limits import MAX_FIELDS, MAX_SIGNATURE_CHARS, MAX_TYPE_CHARS, MAX_TYPE_DEPTH

_GENERIC_ALIASES: dict[str, Any] = {
    "list": list,
    "List": list,
    "dict": dict,
    "Dict": dict,
    "tuple": tuple,
    "Tuple": tuple,
    "set": set,
    "Set": set,
    "Optional": typing.Optional,
    "Union": typing.Union,
    "Literal": typing.Literal,
}
_SCALARS: dict[str, Any] = {
    "str": str,
    "int": int,
    "float": float,
    "bool": bool,
    "Any": Any,
    "None": type(None),
    "NoneType": type(None),
}
_registered_types: dict[str, Any] = {}


def register_type(name: str, tp: Any) -> None:
    """Lets worker plugins make their own types (pydantic models) usable in signatures."""
    if not name.isidentifier():
        raise ValueError(f"not an identifier: {name!r}")
    _registered_types[name] = tp
    build_signature.cache_clear()


@functools.lru_cache(maxsize=512)
def build_signature(text: str, instructions: str = "") -> type[dspy.Signature]:
    if not text or len(text) > MAX_SIGNATURE_CHARS:
        raise InvalidArgument(f"signature must be 1..{MAX_SIGNATURE_CHARS} characters")
    if text.count("->") != 1:
        raise InvalidArgument(f"signature {echo(text)} must have exactly one '->' between inputs and outputs")
    left, right = text.split("->")
    inputs = _parse_fields(left, "input")
    outputs = _parse_fields(right, "output")
    if not outputs:
        raise InvalidArgument(f"signature {echo(text)} has no output fields")
    clash = set(inputs) & set(outputs)
    if clash:
        raise InvalidArgument(f"fields {echo(sorted(clash))} are both input and output")
    fields: dict[str, tuple[Any, Any]] = {}
    for name, tp in inputs.items():
        fields[name] = (tp, dspy.InputField())
    for name, tp in outputs.items():
        fields[name] = (tp, dspy.OutputField())
    try:
        return make_signature(fields, instructions or None)
    except Exception as exc:  # pydantic rejects some combinations of types
        raise InvalidArgument(f"invalid signature {echo(text)}: {cut(str(exc), 300)}") from None


def _parse_fields(part: str, side: str) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for raw in _split_top_level(part):
        if not raw.strip():
            if part.strip():
                raise InvalidArgument(f"empty {side} field in {echo(part.strip())}")
            continue
        name, _, annotation = raw.partition(":")
        name = name.strip()
        if not name.isidentifier() or keyword.iskeyword(name) or name.startswith("_"):
            raise InvalidArgument(f"invalid {side} field name {echo(name)}")
        if name in fields:
            raise InvalidArgument(f"duplicate field {echo(name)}")
        fields[name] = parse_type(annotation.strip()) if annotation.strip() else str
        if len(fields) > MAX_FIELDS:
            raise InvalidArgument(f"more than {MAX_FIELDS} {side} fields")
    return fields


def _split_top_level(text: str) -> list[str]:
    parts: list[str] = []
    depth, start = 0, 0
    for i, ch in enumerate(text):
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth < 0:
                raise InvalidArgument(f"unbalanced ']' in {echo(text.strip())}")
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    if depth != 0:
        raise InvalidArgument(f"unbalanced '[' in {echo(text.strip())}")
    parts.append(text[start:])
    return parts if any(p.strip() for p in parts) else []


def parse_type(annotation: str) -> Any:
    if len(annotation) > MAX_TYPE_CHARS:
        raise InvalidArgument(f"type {echo(annotation)} is {len(annotation):,} characters; the limit is {MAX_TYPE_CHARS:,}")
    try:
        node = ast.parse(annotation, mode="eval").body
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        # MemoryError, RecursionError: the parser's own stack overflowed (`------1`); ValueError: a null byte.
        raise InvalidArgument(f"invalid type {echo(annotation)}") from None
    return _resolve(node, annotation, 0)


def _resolve(node: ast.AST, source: str, depth: int) -> Any:
    if depth > MAX_TYPE_DEPTH:
        raise InvalidArgument(f"type {echo(source)} is nested deeper than {MAX_TYPE_DEPTH} levels")
    if isinstance(node, ast.Name):
        tp = _SCALARS.get(node.id) or _registered_types.get(node.id) or _GENERIC_ALIASES.get(node.id)
        if tp is None:
            raise InvalidArgument(f"unknown type {echo(node.id)} in {echo(source)}")
        return tp
    if isinstance(node, ast.Constant) and node.value is None:
        return type(None)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return typing.Union[_resolve(node.left, source, depth + 1), _resolve(node.right, source, depth + 1)]  # noqa: UP007 (built at run time from values)
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        base = _GENERIC_ALIASES.get(node.value.id)
        if base is None:
            raise InvalidArgument(f"{echo(node.value.id)} takes no type arguments in {echo(source)}")
        elts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        if base is typing.Literal:
            return typing.Literal[tuple(_literal(e, source) for e in elts)]
        args = tuple(_resolve(e, source, depth + 1) for e in elts)
        generic: Any = base  # list, dict, Optional...: subscripted with types found at run time
        try:
            return generic[args[0]] if len(args) == 1 else generic[args]
        except TypeError as exc:
            raise InvalidArgument(f"invalid type {echo(source)}: {cut(str(exc), 300)}") from None
    raise InvalidArgument(f"unsupported type expression in {echo(source)}")


def _literal(node: ast.AST, source: str) -> Any:
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, int, bool, float)):
        return node.value
    raise InvalidArgument(f"Literal options must be strings or numbers in {echo(source)}")


def type_name(annotation: Any) -> str:
    """A type as a signature would write it: `int`, `list[str]`, `Any`."""
    if annotation is Any:
        return "Any"
    if typing.get_origin(annotation) is None and isinstance(annotation, type):
        return annotation.__name__
    return str(annotation).replace("typing.", "")
