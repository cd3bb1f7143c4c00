"""What a run's code sees: typed emitters, the cancel flag, and the run's LM."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .. import jsonio
from ..cancel import CancelScope
from ..channel import EventChannel
from ..errors import WorkerError
from ..lm import LmSettings, build_lm, resolve
from ..session import Session
from ..telemetry import RunTrace
from ..tools.bridge import ToolBridge
from ..v1 import common_pb2, run_pb2


class RunContext(CancelScope):
    def __init__(
        self,
        channel: EventChannel,
        lm_settings: LmSettings | None,
        session: Session | None = None,
        tool_specs: Iterable[common_pb2.ToolSpec] = (),
        deadline: float | None = None,
        trace: RunTrace | None = None,
    ) -> None:
        super().__init__()
        self.channel = channel
        # The run's span and its open DSPy spans; a no-op one when tracing is off.
        self.trace = trace if trace is not None else RunTrace(None)
        self.session = session
        self._lm_settings = lm_settings
        # Set when the client's own message ends the run: its `done` carries this error.
        self.failure: WorkerError | None = None
        self.tools = ToolBridge(self, channel, self.trace, list(tool_specs), deadline)

    @property
    def lm_settings(self) -> LmSettings:
        """The run's LM (run > session > worker); FailedPrecondition if there is none."""
        return resolve(self._lm_settings)

    def fail(self, error: WorkerError) -> None:
        """Ends the run because of the client's message (`error`), as a cancel does."""
        with self._lock:
            if self.failure is None and not self.cancelled.is_set():
                self.failure = error
        self.cancel(error.message)

    # ---- events ----

    def token(self, path: str, field: str, delta: str, last: bool) -> None:
        self.channel.put(run_pb2.Event(token=run_pb2.TokenEvent(path=path, field=field, delta=delta, last=last)))

    async def atoken(self, path: str, field: str, delta: str, last: bool) -> None:
        """`token` for a stream driven on an event loop: awaits room on the run's loop."""
        await self.channel.aput(run_pb2.Event(token=run_pb2.TokenEvent(path=path, field=field, delta=delta, last=last)))

    async def astatus(self, message: str) -> None:
        await self.channel.aput(run_pb2.Event(status=run_pb2.StatusEvent(message=message)))

    def status(self, message: str) -> None:
        self.channel.put(run_pb2.Event(status=run_pb2.StatusEvent(message=message)))

    def thought(self, path: str, step: int, text: str) -> None:
        self.channel.put(run_pb2.Event(thought=run_pb2.ThoughtEvent(path=path, step=step, text=text)))

    def tool_start(self, path: str, step: int, call_id: str, tool: str, args: Any) -> None:
        event = run_pb2.ToolStartEvent(path=path, step=step, call_id=call_id, tool_name=tool, args_json=jsonio.dumps(args))
        self.channel.put(run_pb2.Event(tool_start=event))

    def observation(self, path: str, step: int, call_id: str, tool: str, value: Any, is_error: bool) -> None:
        event = run_pb2.ObservationEvent(
            path=path, step=step, call_id=call_id, tool_name=tool, observation_json=jsonio.dumps(value), is_error=is_error
        )
        self.channel.put(run_pb2.Event(observation=event))

    def call_tool(self, name: str, args: dict[str, Any]) -> Any:
        """Calls one of this run's TypeScript tools and returns its output (for commands);
        raises ToolFailure when it fails, times out, or is unknown."""
        return self.tools.call(name, args)

    def item(self, index: int, inputs: Any, outputs: Any = None, error: common_pb2.ErrorDetail | None = None) -> None:
        event = run_pb2.ItemEvent(index=index, input_json=jsonio.dumps(inputs))
        if error is not None:
            event.error.CopyFrom(error)
        else:
            event.output_json = jsonio.dumps(outputs)
        self.channel.put(run_pb2.Event(item=event))

    def progress(self, completed: int, total: int, failed: int) -> None:
        self.channel.put(run_pb2.Event(progress=run_pb2.ProgressEvent(completed=completed, total=total, failed=failed)))

    def trial(self, kind: str, trial: int, total: int, score: float | None, details: Any) -> None:
        event = run_pb2.TrialEvent(kind=kind, trial=trial, total=total, details_json=jsonio.dumps(details))
        if score is not None:
            event.score = score
        self.channel.put(run_pb2.Event(trial=event))

    def emit(self, type: str, data: Any = None) -> None:
        """A `custom` event for users' commands: TS sees {type: "custom", name: type, data}."""
        self.channel.put(run_pb2.Event(custom=run_pb2.CustomEvent(type=type, data_json=jsonio.dumps(data))))

    @property
    def lm(self) -> Any:
        """The run's dspy.LM."""
        return build_lm(self.lm_settings)
