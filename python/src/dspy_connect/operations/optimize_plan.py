# pyright: reportUnknownMemberType=false, reportUnknownArgumentType=false, reportUnknownVariableType=false
"""How many evaluations MIPROv2 will run, read from the plan it settles on in `compile`
(with `auto` it picks num_trials itself), so `trial` events carry a real `total`."""

from __future__ import annotations

import inspect
from typing import Any

from .optimize_progress import OptimizeProgress

__all__ = ["mipro_evaluations", "plan_mipro"]


def mipro_evaluations(num_trials: int, minibatch: bool, full_eval_steps: int) -> int:
    """The default program's evaluation, one per trial, and with minibatches the periodic
    full evaluations (DSPy 3.x `_optimize_prompt_parameters`' own count)."""
    if not minibatch:
        return num_trials + 1
    return num_trials + num_trials // full_eval_steps + 1 + (1 if num_trials % full_eval_steps else 0)


def plan_mipro(optimizer: Any, progress: OptimizeProgress) -> None:
    """Records the evaluation count when MIPROv2 starts its trials (this instance only)."""
    original = optimizer._optimize_prompt_parameters
    signature = inspect.signature(original)

    def planned(*args: Any, **kwargs: Any) -> Any:
        settings = signature.bind(*args, **kwargs).arguments
        progress.planned_evaluations = mipro_evaluations(
            int(settings["num_trials"]), bool(settings["minibatch"]), int(settings["minibatch_full_eval_steps"])
        )
        return original(*args, **kwargs)

    optimizer._optimize_prompt_parameters = planned
