# pyright: reportUnknownMemberType=false, reportUnknownArgumentType=false, reportUnknownVariableType=false, reportUnknownLambdaType=false
# (DSPy ships no type information: pyright reads much of what it returns as Unknown.)
"""The DSPy callback that turns module, LM and tool calls into spans.

DSPy sets ACTIVE_CALL_ID to a call's id only after its start callbacks ran, so inside
`on_*_start` it still names the *parent* call: that is how each span finds its parent.
An LM span gets the call's token usage from DSPy's usage tracker (the worker turns
`track_usage` on; LM history is off): the one entry the call added to it. When calls
running at once added several, which one is whose is unknown, so none is put on a span.
"""

from __future__ import annotations

import threading
from typing import Any, Protocol

import dspy
from dspy.utils.callback import ACTIVE_CALL_ID, BaseCallback
from opentelemetry.trace import SpanKind
from opentelemetry.util.types import Attributes

from .attributes import (
    CALL_ID,
    GEN_AI_OPERATION,
    INPUT_TOKENS,
    LM_MODEL,
    LM_PROVIDER,
    LM_SPAN,
    MODULE_CLASS,
    MODULE_SPAN,
    OUTPUT_TOKENS,
    TOOL_NAME,
    TOOL_SPAN,
)


class CallSpans(Protocol):
    """Where DSPy calls' spans open and close: the run's RunTrace."""

    def open(self, call_id: str, parent_call_id: str | None, name: str, kind: SpanKind, attributes: Attributes) -> None: ...

    def close(self, call_id: str, exception: BaseException | None, attributes: Attributes = None) -> None: ...


class DspySpans(BaseCallback):
    def __init__(self, spans: CallSpans) -> None:
        self.trace = spans
        self._lock = threading.Lock()
        # call id -> (usage tracker, model, how many entries it held for the model)
        self._usage_marks: dict[str, tuple[Any, str, int]] = {}

    def on_module_start(self, call_id: str, instance: Any, inputs: dict[str, Any]) -> None:
        name = type(instance).__name__
        attributes = {CALL_ID: call_id, MODULE_CLASS: name}
        self.trace.open(call_id, ACTIVE_CALL_ID.get(), f"{MODULE_SPAN} {name}", SpanKind.INTERNAL, attributes)

    def on_module_end(self, call_id: str, outputs: Any | None, exception: BaseException | None = None) -> None:
        self.trace.close(call_id, exception)

    def on_lm_start(self, call_id: str, instance: Any, inputs: dict[str, Any]) -> None:
        model = str(getattr(instance, "model", "") or type(instance).__name__)
        attributes = {CALL_ID: call_id, GEN_AI_OPERATION: "chat", LM_MODEL: model}
        if "/" in model:
            attributes[LM_PROVIDER] = model.split("/", 1)[0]  # LiteLLM's "provider/model"
        tracker = dspy.settings.usage_tracker
        if tracker is not None:
            with self._lock:
                self._usage_marks[call_id] = (tracker, model, len(tracker.usage_data.get(model, ())))
        # CLIENT: the LM is another service, as in the GenAI semantic conventions.
        self.trace.open(call_id, ACTIVE_CALL_ID.get(), f"{LM_SPAN} {model}", SpanKind.CLIENT, attributes)

    def on_lm_end(self, call_id: str, outputs: Any | None, exception: BaseException | None = None) -> None:
        with self._lock:
            mark = self._usage_marks.pop(call_id, None)
        self.trace.close(call_id, exception, usage_attributes(mark))

    def on_tool_start(self, call_id: str, instance: Any, inputs: dict[str, Any]) -> None:
        name = str(getattr(instance, "name", "") or type(instance).__name__)
        attributes = {CALL_ID: call_id, GEN_AI_OPERATION: "execute_tool", TOOL_NAME: name}
        self.trace.open(call_id, ACTIVE_CALL_ID.get(), f"{TOOL_SPAN} {name}", SpanKind.INTERNAL, attributes)

    def on_tool_end(self, call_id: str, outputs: Any | None, exception: BaseException | None = None) -> None:
        self.trace.close(call_id, exception)


def usage_attributes(mark: tuple[Any, str, int] | None) -> dict[str, Any]:
    """Token counts of the LM call whose tracker mark is `mark`: the entry it added."""
    if mark is None:
        return {}
    tracker, model, before = mark
    added = tracker.usage_data.get(model, [])[before:]
    if len(added) != 1:
        return {}
    usage = added[0]
    return {
        attribute: usage[key]
        for key, attribute in (("prompt_tokens", INPUT_TOKENS), ("completion_tokens", OUTPUT_TOKENS))
        if isinstance(usage.get(key), int)
    }
