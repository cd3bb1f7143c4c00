"""Checks a client's config for the built-in module types before the module is built:
DSPy takes any keyword and fails only when the module runs, as an INTERNAL error.
Plugin module types check their own config."""

from __future__ import annotations

from typing import Any

from .errors import InvalidArgument, echo
from .lm_options import check_options

MAX_REACT_ITERS = 1000


def _predict(config: dict[str, Any]) -> None:
    # Predict keeps its config as the LM options of every call it makes.
    check_options(config, "module.config_json", reserved=frozenset({"signature", "lm", "config", "demos"}))


def _chain_of_thought(config: dict[str, Any]) -> None:
    # rationale_field(_type) take a DSPy field and a Python type, which JSON cannot express.
    check_options(
        config,
        "module.config_json",
        reserved=frozenset({"signature", "lm", "config", "demos", "rationale_field", "rationale_field_type"}),
    )


def _react(config: dict[str, Any]) -> None:
    unknown = sorted(set(config) - {"max_iters"})
    if unknown:
        raise InvalidArgument(f"module.config_json: react takes only max_iters, not {echo(unknown)}")
    iters = config.get("max_iters", 20)
    if not isinstance(iters, int) or isinstance(iters, bool) or not 1 <= iters <= MAX_REACT_ITERS:
        raise InvalidArgument(f"module.config_json: max_iters must be an integer in 1..{MAX_REACT_ITERS}, got {echo(iters, 40)}")


CHECKS = {"predict": _predict, "chain_of_thought": _chain_of_thought, "react": _react}


def check_config(module_type: str, config: dict[str, Any]) -> None:
    check = CHECKS.get(module_type)
    if check is not None:
        check(config)
