"""Checks the LM options a client passes (`lm.kwargs_json`, a Predict's config): a value
of the wrong type would otherwise surface mid-call as a DSPy or LiteLLM TypeError, an
INTERNAL error, though the client sent it. Options not named here are provider-specific
and pass through to LiteLLM unchecked."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, cast

from .errors import InvalidArgument, echo

Check = Callable[[Any], bool]


def _number(low: float = -math.inf, high: float = math.inf) -> Check:
    return lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and low <= v <= high


def _integer(low: int, high: int) -> Check:
    return lambda v: isinstance(v, int) and not isinstance(v, bool) and low <= v <= high


def _one_of(*options: str) -> Check:
    return lambda v: v in options


def _boolean(v: Any) -> bool:
    return isinstance(v, bool)


def _stop(v: Any) -> bool:
    return isinstance(v, str) or (isinstance(v, list) and all(isinstance(s, str) for s in cast("list[Any]", v)))


def _optional(check: Check) -> Check:
    return lambda v: v is None or check(v)


# The scripted test LM's field values (dspy_connect.testing.scripted_outputs): checked here so
# a malformed script is an InvalidArgument before any work, not an LM failure mid-call.
SCRIPTED_OUTPUTS = "scripted_outputs"


def is_scripted_outputs(v: Any) -> bool:
    """A list of objects (JSON objects only have string keys)."""
    return isinstance(v, list) and all(isinstance(entry, dict) for entry in cast("list[Any]", v))


# option -> (check, what it must be)
OPTIONS: dict[str, tuple[Check, str]] = {
    "temperature": (_optional(_number(0, 100)), "a number ≥ 0"),
    "top_p": (_number(0, 1), "a number in 0..1"),
    "max_tokens": (_optional(_integer(1, 10**9)), "an integer ≥ 1"),
    "max_completion_tokens": (_integer(1, 10**9), "an integer ≥ 1"),
    "n": (_integer(1, 128), "an integer in 1..128"),
    "num_retries": (_integer(0, 20), "an integer in 0..20"),
    "timeout": (_number(0.001), "a number of seconds > 0"),
    "seed": (_integer(-(2**63), 2**64 - 1), "an integer"),
    "rollout_id": (_optional(_integer(-(2**63), 2**64 - 1)), "an integer or null"),
    "presence_penalty": (_number(-100, 100), "a number"),
    "frequency_penalty": (_number(-100, 100), "a number"),
    "stop": (_stop, "a string or a list of strings"),
    "cache": (_boolean, "true or false"),
    "logprobs": (_boolean, "true or false"),
    "top_logprobs": (_integer(0, 100), "an integer in 0..100"),
    "use_developer_role": (_boolean, "true or false"),
    "model_type": (_one_of("chat", "text", "responses"), "'chat', 'text' or 'responses'"),
    "engine": (_one_of("auto", "litellm", "lm15"), "'auto', 'litellm' or 'lm15'"),
    "response_format": (lambda v: isinstance(v, dict), "an object"),
    SCRIPTED_OUTPUTS: (is_scripted_outputs, "a list of objects (output field -> value)"),
}
# Python objects or training settings that JSON cannot express or a client must not set.
RESERVED = frozenset(
    {
        "callbacks",
        "provider",
        "async_engine",
        "prompt_cache",
        "finetuning_model",
        "launch_kwargs",
        "train_kwargs",
    }
)


def check_options(options: dict[str, Any], what: str, reserved: frozenset[str] = frozenset()) -> None:
    """Raises InvalidArgument for a reserved option or a known option of the wrong type."""
    refused = sorted((RESERVED | reserved) & set(options))
    if refused:
        raise InvalidArgument(f"{what} may not set {echo(refused)}")
    for name, value in options.items():
        known = OPTIONS.get(name)
        if known is not None and not known[0](value):
            raise InvalidArgument(f"{what}: {name} must be {known[1]}, got {echo(value, 40)}")
