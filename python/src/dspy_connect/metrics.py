# pyright: reportUnknownMemberType=false, reportUnknownArgumentType=false, reportUnknownVariableType=false, reportUnknownLambdaType=false
# (DSPy ships no type information: pyright reads much of what it returns as Unknown.)
"""Metrics an optimizer may use, by name. Clients pick one; they never send code.

Built in, compared over the label fields (an example's fields that are not inputs):
  exact_match   every label equals the prediction's field (text: DSPy's normalize_text)
  contains      every label's text appears in the prediction's field
  f1            mean token F1 over the label fields (DSPy's f1_score)

Register your own in a module the worker imports:

    from dspy_connect.metrics import register_metric

    @register_metric("within_10_percent")
    def within(example, prediction, trace=None) -> float: ...
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import dspy
from dspy.evaluate.metrics import em_score, f1_score

from .registry import Registry, registers

Metric = Callable[..., Any]
F = TypeVar("F", bound=Metric)
METRICS: Registry[Metric] = Registry("metric")


def register_metric(name: str) -> Callable[[F], F]:
    return registers(METRICS, name)


def metric_names() -> list[str]:
    return METRICS.names()


def get_metric(name: str) -> Metric:
    return METRICS.get(name)


def _labels(example: dspy.Example) -> dict[str, Any]:
    return dict(example.labels().items())


def _text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


def _field_scores(example: dspy.Example, prediction: Any, score: Callable[[Any, Any], float]) -> list[float]:
    labels = _labels(example)
    return [score(prediction.get(name) if hasattr(prediction, "get") else None, label) for name, label in labels.items()]


@register_metric("exact_match")
def exact_match(example: dspy.Example, prediction: Any, trace: Any = None) -> bool:
    def same(got: Any, want: Any) -> float:
        if isinstance(want, str) or isinstance(got, str):
            return float(got is not None and em_score(_text(got), _text(want)))
        return float(got == want)

    scores = _field_scores(example, prediction, same)
    return bool(scores) and all(scores)


@register_metric("contains")
def contains(example: dspy.Example, prediction: Any, trace: Any = None) -> bool:
    scores = _field_scores(
        example, prediction, lambda got, want: float(got is not None and _text(want).strip().lower() in _text(got).lower())
    )
    return bool(scores) and all(scores)


@register_metric("f1")
def f1(example: dspy.Example, prediction: Any, trace: Any = None) -> float:
    scores = _field_scores(example, prediction, lambda got, want: f1_score(_text(got or ""), _text(want)))
    return sum(scores) / len(scores) if scores else 0.0
