# pyright: reportUnknownMemberType=false, reportUnknownArgumentType=false, reportUnknownVariableType=false, reportUnknownLambdaType=false
# (DSPy ships no type information: pyright reads much of what it returns as Unknown.)
"""Checks a client's `state_json` against the state DSPy itself saves, before load_state.

DSPy's Predict.load_state sets every key it is given as an attribute (`forward`,
`callbacks`, `__dict__` included) and builds an LM from the `lm` key, which would replace
the LM of the call. A client may send exactly what Predict.dump_state writes, per
predictor (by BaseModule.dump_state's names), plus the `metadata` Module.save adds:
  signature  {"instructions": str, "fields": [{"prefix": str, "description": str}]}
  demos      [object]       traces, train  [any]       fields  {output name: settings}
  lm         null: the LM comes from the call, the session or the worker
"""

from __future__ import annotations

from typing import Any

import dspy

from .errors import InvalidArgument, echo
from .jsonio import as_array, as_object

PREDICTOR_KEYS = frozenset({"signature", "demos", "traces", "train", "fields", "lm"})
SAVE_METADATA = "metadata"


def checked_state(module: dspy.Module, state: dict[str, Any]) -> dict[str, Any]:
    """The state to give `module.load_state`; InvalidArgument if it is not DSPy's state."""
    state = {k: v for k, v in state.items() if k != SAVE_METADATA}
    if isinstance(module, dspy.Predict):
        return _predictor(state, "module.state_json")
    predictors = dict(module.named_parameters())
    unknown = sorted(set(state) - set(predictors))
    missing = sorted(set(predictors) - set(state))
    if unknown or missing:
        raise InvalidArgument(
            f"module.state_json must hold the state of each of {echo(sorted(predictors))}"
            + (f"; unknown: {echo(unknown)}" if unknown else "")
            + (f"; missing: {echo(missing)}" if missing else "")
        )
    return {
        name: _predictor(state[name], f"module.state_json[{echo(name)}]") if isinstance(param, dspy.Predict) else state[name]
        for name, param in predictors.items()
    }


def _predictor(value: Any, where: str) -> dict[str, Any]:
    state = as_object(value)
    if state is None:
        raise InvalidArgument(f"{where} must be an object, got {type(value).__name__}")
    unknown = sorted(set(state) - PREDICTOR_KEYS)
    if unknown:
        raise InvalidArgument(f"{where}: {echo(unknown)} is not predictor state; DSPy's state has {sorted(PREDICTOR_KEYS)}")
    if state.get("lm") is not None:
        raise InvalidArgument(f"{where}: `lm` must be null; the LM comes from the call, the session or the worker")
    _signature(state.get("signature"), where)
    demos = as_array(state.get("demos", []))
    if demos is None or not all(isinstance(d, dict) for d in demos):
        raise InvalidArgument(f"{where}: `demos` must be a list of objects")
    for key in ("traces", "train"):
        if as_array(state.get(key, [])) is None:
            raise InvalidArgument(f"{where}: `{key}` must be a list")
    if as_object(state.get("fields", {})) is None:
        raise InvalidArgument(f"{where}: `fields` must be an object")
    return {**state, "lm": None}


def _signature(value: Any, where: str) -> None:
    signature = as_object(value)
    if signature is None or set(signature) != {"instructions", "fields"}:
        raise InvalidArgument(f"{where}: `signature` must be an object with `instructions` and `fields`")
    if not isinstance(signature["instructions"], str):
        raise InvalidArgument(f"{where}: `signature.instructions` must be a string")
    fields = as_array(signature["fields"])
    if fields is None or not all(_is_field(f) for f in fields):
        raise InvalidArgument(f"{where}: `signature.fields` must be a list of {{prefix, description}} strings")


def _is_field(value: Any) -> bool:
    field = as_object(value)
    return field is not None and set(field) == {"prefix", "description"} and all(isinstance(v, str) for v in field.values())
