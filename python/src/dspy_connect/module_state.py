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


def _predictor(state: Any, where: str) -> dict[str, Any]:
    if not isinstance(state, dict):
        raise InvalidArgument(f"{where} must be an object, got {type(state).__name__}")
    unknown = sorted(set(state) - PREDICTOR_KEYS)
    if unknown:
        raise InvalidArgument(f"{where}: {echo(unknown)} is not predictor state; DSPy's state has {sorted(PREDICTOR_KEYS)}")
    if state.get("lm") is not None:
        raise InvalidArgument(f"{where}: `lm` must be null; the LM comes from the call, the session or the worker")
    _signature(state.get("signature"), where)
    demos = state.get("demos", [])
    if not isinstance(demos, list) or not all(isinstance(d, dict) for d in demos):
        raise InvalidArgument(f"{where}: `demos` must be a list of objects")
    for key in ("traces", "train"):
        if not isinstance(state.get(key, []), list):
            raise InvalidArgument(f"{where}: `{key}` must be a list")
    if not isinstance(state.get("fields", {}), dict):
        raise InvalidArgument(f"{where}: `fields` must be an object")
    return {**state, "lm": None}


def _signature(signature: Any, where: str) -> None:
    if not isinstance(signature, dict) or set(signature) != {"instructions", "fields"}:
        raise InvalidArgument(f"{where}: `signature` must be an object with `instructions` and `fields`")
    if not isinstance(signature["instructions"], str):
        raise InvalidArgument(f"{where}: `signature.instructions` must be a string")
    fields = signature["fields"]
    if not isinstance(fields, list) or not all(
        isinstance(f, dict) and set(f) == {"prefix", "description"} and all(isinstance(v, str) for v in f.values())
        for f in fields
    ):
        raise InvalidArgument(f"{where}: `signature.fields` must be a list of {{prefix, description}} strings")
