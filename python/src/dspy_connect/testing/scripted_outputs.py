"""Field values a test scripts for the scripted LM, as a mock LM's canned replies.

They travel as the LM keyword argument `scripted_outputs` (from TypeScript:
`scriptedLm.outputs(...)` in `@dspy-connect/client/testing`), a list of
`{output field: value}` objects. DSPy hands LM keyword arguments to LiteLLM, which passes
the ones it does not know to a custom provider in `optional_params`. They come from the
client as JSON and are only ever read as data.

Which entry answers a call: entry i answers the LM calls an agent makes at step i, counted
from the observations its prompt holds (ReAct's final answer comes after its last step);
Predict and ChainOfThought make one call, so they use the first. Past the end, the last
entry repeats. Fields an entry leaves out get the echo values; fields a call does not ask
for are ignored, so one entry may carry every field of an agent's steps and its answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from litellm.llms.custom_llm import CustomLLMError

from ..lm_options import SCRIPTED_OUTPUTS, is_scripted_outputs

__all__ = ["SCRIPTED_OUTPUTS", "for_step", "scripted_outputs"]


def scripted_outputs(optional_params: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """The scripted entries of one LM call ([] when none were given)."""
    value = (optional_params or {}).get(SCRIPTED_OUTPUTS)
    if value is None:
        return []
    # The worker checks it before any work; a caller of LiteLLM itself may not have.
    if not is_scripted_outputs(value):
        raise CustomLLMError(status_code=400, message=f"{SCRIPTED_OUTPUTS} must be a list of objects (field -> value)")
    return cast("list[dict[str, Any]]", value)


def for_step(outputs: list[dict[str, Any]], step: int) -> dict[str, Any]:
    """The entry that answers an agent's step `step` (0 for a one-call module)."""
    return outputs[min(step, len(outputs) - 1)] if outputs else {}
