# pyright: reportUnknownMemberType=false, reportUnknownArgumentType=false, reportUnknownVariableType=false
# (DSPy ships no type information: pyright reads much of what it returns as Unknown.)
"""An optimizer's progress as `trial` events, every score on one scale: 0 to 1.

- `bootstrap`: one per metric call while demos are bootstrapped. `trial` is the example's
  place in its pass over the trainset, `total` the trainset's size (a pass stops early once
  it has enough demos; MIPROv2 without a valset bootstraps from part of the trainset).
- `trial`: one per evaluation of a candidate program. `total` is how many the optimizer
  plans (MIPROv2: its default program plus `num_trials`, plus full evaluations when it
  uses minibatches; BootstrapFewShot: the one final evaluation).

DSPy's Evaluate scores 0-100; metrics score 0-1. Evaluation scores are divided by 100.
"""

from __future__ import annotations

import threading
from typing import Any

from dspy.utils.callback import BaseCallback

from ..run.context import RunContext

__all__ = ["OptimizeProgress", "to_unit_scale"]


def to_unit_scale(evaluate_score: Any) -> float | None:
    """An Evaluate score (percent) on the 0-1 scale; None when there is none."""
    return float(evaluate_score) / 100 if isinstance(evaluate_score, (int, float)) else None


class OptimizeProgress(BaseCallback):
    def __init__(self, run: RunContext, trainset_size: int) -> None:
        self.run = run
        self.trainset_size = trainset_size
        self.planned_evaluations = 0  # set once the optimizer's plan is known
        self.evaluations = 0
        self.attempts = 0
        self._lock = threading.Lock()
        self._evaluating = 0
        self._pass = 0
        self._seen: dict[int, int] = {}  # id(example) -> its place in the current pass
        self._last: int | None = None
        self._round = 0

    def wrap(self, metric: Any) -> Any:
        def scored(example: Any, prediction: Any, trace: Any = None, *args: Any, **kwargs: Any) -> Any:
            score = metric(example, prediction, trace)
            with self._lock:
                if self._evaluating:
                    return score  # the evaluation reports its own score
                self.attempts += 1
                place, round_ = self._place(id(example))
                details = {"pass": self._pass, "round": round_, "attempt": self.attempts}
            self.run.trial("bootstrap", place, self.trainset_size, float(score), details)
            return score

        return scored

    def _place(self, key: int) -> tuple[int, int]:
        """The example's place in its pass: a retry of the last example is its next round;
        an example seen earlier starts a new pass (MIPROv2 bootstraps several demo sets)."""
        if key == self._last:
            self._round += 1
            return self._seen[key], self._round
        if key in self._seen or self._pass == 0:
            self._pass += 1
            self._seen.clear()
        self._seen[key] = len(self._seen) + 1
        self._last, self._round = key, 1
        return self._seen[key], 1

    def on_evaluate_start(self, call_id: str, instance: Any, inputs: dict[str, Any]) -> None:
        with self._lock:
            self._evaluating += 1

    def on_evaluate_end(self, call_id: str, outputs: Any | None, exception: BaseException | None = None) -> None:
        with self._lock:
            self._evaluating -= 1
            self.evaluations += 1
            trial = self.evaluations
            total = max(self.planned_evaluations, trial)
        score = to_unit_scale(getattr(outputs, "score", outputs))
        evaluated = len(getattr(outputs, "results", []) or [])
        self.run.trial("trial", trial, total, score, {"evaluated": evaluated})
