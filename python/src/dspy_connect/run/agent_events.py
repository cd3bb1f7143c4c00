"""ReAct step events from DSPy callbacks: a `thought` when the agent's predictor decides,
`tool_start` / `observation` around each dspy.Tool call, and `tool_error` when a tool
fails. Works for any module whose tools are dspy.Tool instances (ReAct, registered agents,
TypeScript tools)."""

from __future__ import annotations

import threading
from typing import Any

from dspy.utils.callback import BaseCallback

from ..tools.bridge import ToolFailure
from ..tools.failure_view import failure_message
from .context import RunContext


class AgentEvents(BaseCallback):
    def __init__(self, run: RunContext, path: str = "") -> None:
        self.run = run
        self.path = path
        self.step = 0
        self._lock = threading.Lock()
        self._tools: dict[str, str] = {}

    def on_module_end(self, call_id: str, outputs: Any | None, exception: BaseException | None = None) -> None:
        thought = _get(outputs, "next_thought")
        if thought is None:
            return
        with self._lock:
            self.step += 1
            step = self.step
        self.run.thought(self.path, step, str(thought))

    def on_tool_start(self, call_id: str, instance: Any, inputs: dict[str, Any]) -> None:
        name = getattr(instance, "name", type(instance).__name__)
        with self._lock:
            self._tools[call_id] = name
            self.run.tools.steps[call_id] = (self.path, self.step)
        self.run.tool_start(self.path, self.step, call_id, name, inputs.get("kwargs", inputs))

    def on_tool_end(self, call_id: str, outputs: Any | None, exception: BaseException | None = None) -> None:
        with self._lock:
            name = self._tools.pop(call_id, "")
        try:
            if isinstance(exception, Exception):
                # The same message the agent sees (tools/failure_view.py).
                message = failure_message(exception)
                if not isinstance(exception, ToolFailure):  # the bridge has reported its own
                    self.run.tools.tool_error(call_id, name, "error", message)
                self.run.observation(self.path, self.step, call_id, name, message, True)
            elif exception is None:
                self.run.observation(self.path, self.step, call_id, name, outputs, False)
        finally:
            with self._lock:
                self.run.tools.steps.pop(call_id, None)


def _get(outputs: Any, key: str) -> Any:
    try:
        return outputs.get(key) if hasattr(outputs, "get") else None
    except Exception:
        return None
