# pyright: reportUnknownMemberType=false, reportUnknownArgumentType=false, reportUnknownVariableType=false, reportUnknownLambdaType=false
# (DSPy ships no type information: pyright reads much of what it returns as Unknown.)
"""Cancellation of work running in worker threads: runs, pipeline branch groups, unary calls."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import dspy
from dspy.utils.callback import BaseCallback

__all__ = ["SCOPE_SETTING", "CancelScope", "RunCancelled", "check_here", "current_scope"]

# The dspy.context key that carries the cancel scope code runs under: the run, or a group of
# pipeline branches in it. dspy.context reaches every thread DSPy starts (its Parallel and
# asyncify threads copy it); plain ContextVars do not.
SCOPE_SETTING = "dspy_connect_scope"


class RunCancelled(BaseException):
    """Raised inside DSPy code once its scope is cancelled. A BaseException, so DSPy's
    `except Exception` handlers (callbacks, ReAct tool errors, batch errors) let it through."""


class CancelScope:
    """A cancel flag that DSPy code checks between units of work, with hooks that stop
    what is in flight (an LM request, a tool call) the moment it is set."""

    def __init__(self) -> None:
        self.cancelled = threading.Event()
        self.cancel_reason = ""
        self._lock = threading.Lock()
        self._on_cancel: list[Callable[[], object]] = []

    def cancel(self, reason: str) -> None:
        with self._lock:
            if self.cancelled.is_set():
                return
            self.cancel_reason = reason
            self.cancelled.set()
            hooks, self._on_cancel = self._on_cancel, []
        for hook in hooks:
            hook()

    def on_cancel(self, hook: Callable[[], object]) -> Callable[[], None]:
        """Calls `hook` (from any thread) when the scope is cancelled; returns an unsubscribe."""
        with self._lock:
            if not self.cancelled.is_set():
                self._on_cancel.append(hook)
                return lambda: self._remove(hook)
        hook()
        return lambda: None

    def _remove(self, hook: Callable[[], object]) -> None:
        with self._lock:
            if hook in self._on_cancel:
                self._on_cancel.remove(hook)

    def cancels_this_task(self) -> Callable[[], None]:
        """Cancelling the scope (from any thread) cancels the asyncio task running this;
        returns the unsubscribe. The task then sees CancelledError at its current await."""
        task = asyncio.current_task()
        if task is None:
            raise RuntimeError("cancels_this_task must be called from a task")
        loop = task.get_loop()
        return self.on_cancel(lambda: loop.call_soon_threadsafe(task.cancel))

    def child(self) -> tuple[CancelScope, Callable[[], None]]:
        """A scope cancelled with this one, or on its own (a group of pipeline branches whose
        sibling failed fast); and the call that unlinks it from this one."""
        child = CancelScope()
        unlink = self.on_cancel(lambda: child.cancel(self.cancel_reason))
        return child, unlink

    def check(self) -> None:
        """Raises RunCancelled if the scope was cancelled; call it between units of work."""
        if self.cancelled.is_set():
            raise RunCancelled(self.cancel_reason)

    def callback(self) -> BaseCallback:
        """A DSPy callback that stops the work at the next module, LM or tool start."""
        return _CancelCallback(self)


def current_scope() -> CancelScope | None:
    """The innermost cancel scope set on this thread (a pipeline's branch group), if any."""
    scope = dspy.settings.get(SCOPE_SETTING)
    return scope if isinstance(scope, CancelScope) else None


def check_here() -> None:
    """Raises RunCancelled if any scope the code here runs under was cancelled: the call's
    or run's (its callback) and the innermost branch group's. For waits no callback sees,
    such as the pause before an LM retry."""
    for callback in dspy.settings.get("callbacks") or []:
        if isinstance(callback, _CancelCallback):
            callback.scope.check()
    scope = current_scope()
    if scope is not None:
        scope.check()


class _CancelCallback(BaseCallback):
    def __init__(self, scope: CancelScope) -> None:
        self.scope = scope

    def on_module_start(self, call_id: str, instance: Any, inputs: dict[str, Any]) -> None:
        self.scope.check()

    def on_lm_start(self, call_id: str, instance: Any, inputs: dict[str, Any]) -> None:
        self.scope.check()

    def on_tool_start(self, call_id: str, instance: Any, inputs: dict[str, Any]) -> None:
        self.scope.check()
