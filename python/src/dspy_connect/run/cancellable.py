"""Awaits a module's async path so that cancelling its scope stops it at once, LM request
included."""

from __future__ import annotations

import asyncio
from typing import Any

from ..cancel import CancelScope

__all__ = ["until_cancelled"]


async def until_cancelled(scope: CancelScope, call: Any) -> Any:
    """Awaits `call` in this task; cancelling `scope` (from any thread) cancels the task,
    which closes the LM's HTTP request, and raises RunCancelled here."""
    stop = scope.cancels_this_task()
    try:
        return await call
    except asyncio.CancelledError:
        scope.check()  # RunCancelled when it was the scope; else a cancel of our own
        raise
    finally:
        stop()
