# pyright: reportUnknownMemberType=false, reportUnknownArgumentType=false, reportUnknownVariableType=false, reportUnknownLambdaType=false
# (DSPy ships no type information: pyright reads much of what it returns as Unknown.)
"""Modules that pipeline tests load into workers with
`--import dspy_connect.testing.pipeline_plugins`."""

from __future__ import annotations

import threading
from typing import Any

import dspy

from ..modules import register_module


class Flaky(dspy.Module):
    """Predict, but the first `fail_times` calls of this instance raise (an LM outage)."""

    def __init__(self, signature: Any, fail_times: int = 1) -> None:
        super().__init__()
        self.predict = dspy.Predict(signature)
        self.fail_times = fail_times
        self.calls = 0
        self._lock = threading.Lock()

    def forward(self, **kwargs: Any) -> Any:
        with self._lock:
            self.calls += 1
            failing = self.calls <= self.fail_times
        if failing:
            raise RuntimeError(f"flaky failure {self.calls} of {self.fail_times}")
        return self.predict(**kwargs)


@register_module("flaky")
def flaky(signature: Any, config: dict[str, Any]) -> dspy.Module:
    return Flaky(signature, **config)
