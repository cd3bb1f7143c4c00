"""The DSPy callback that turns module, LM and tool calls into spans.

DSPy sets ACTIVE_CALL_ID to a call's id only after its start callbacks ran, so inside
`on_*_start` it still names the *parent* call: that is how each span finds its parent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dspy.utils.callback import ACTIVE_CALL_ID, BaseCallback
from opentelemetry.trace import SpanKind

from .attributes import CALL_ID, GEN_AI_OPERATION, LM_MODEL, LM_PROVIDER, LM_SPAN, MODULE_CLASS, MODULE_SPAN, TOOL_NAME, TOOL_SPAN

if TYPE_CHECKING:
    from .run_trace import RunTrace


class DspySpans(BaseCallback):
    def __init__(self, run_trace: RunTrace) -> None:
        self.trace = run_trace

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
        # CLIENT: the LM is another service, as in the GenAI semantic conventions.
        self.trace.open(call_id, ACTIVE_CALL_ID.get(), f"{LM_SPAN} {model}", SpanKind.CLIENT, attributes)

    def on_lm_end(self, call_id: str, outputs: Any | None, exception: BaseException | None = None) -> None:
        self.trace.close(call_id, exception)

    def on_tool_start(self, call_id: str, instance: Any, inputs: dict[str, Any]) -> None:
        name = str(getattr(instance, "name", "") or type(instance).__name__)
        attributes = {CALL_ID: call_id, GEN_AI_OPERATION: "execute_tool", TOOL_NAME: name}
        self.trace.open(call_id, ACTIVE_CALL_ID.get(), f"{TOOL_SPAN} {name}", SpanKind.INTERNAL, attributes)

    def on_tool_end(self, call_id: str, outputs: Any | None, exception: BaseException | None = None) -> None:
        self.trace.close(call_id, exception)
