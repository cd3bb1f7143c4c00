# pyright: reportUnknownMemberType=false, reportUnknownArgumentType=false, reportUnknownVariableType=false, reportUntypedFunctionDecorator=false
# (DSPy ships no type information: pyright reads much of what it returns as Unknown.)
"""A dspy.LM that retries by the worker's policy (retry_policy.py) and counts its attempts.

DSPy's own retry loop is turned off (num_retries=0): it retries every transport error, waits
1, 2, 4 s, and its error does not say how many attempts it made.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import dspy
from dspy.clients.call_context import adapter_fallback_scope
from dspy.utils.callback import with_callbacks

from . import retry_policy
from .cancel import check_here

__all__ = ["RetryingLM"]

# dspy.LM's call without its callbacks: they wrap all the attempts, so a call is one span.
_call_once = dspy.LM.__call__.__wrapped__  # pyright: ignore[reportFunctionMemberAccess]
_acall_once = dspy.LM.acall.__wrapped__  # pyright: ignore[reportFunctionMemberAccess]


class RetryingLM(dspy.LM):
    def __init__(self, model: str, *, retries: int, **kwargs: Any) -> None:
        super().__init__(model, num_retries=0, **kwargs)
        self.retries = retries

    @with_callbacks
    def __call__(self, prompt: Any = None, *, messages: Any = None, **kwargs: Any) -> Any:
        attempt = 0
        while True:
            with adapter_fallback_scope() as progress:
                try:
                    return _call_once(self, prompt, messages=messages, **kwargs)
                except Exception as exc:
                    again, reason = self._retry(exc, attempt, progress.emitted)
                    if not again:
                        retry_policy.counted(exc, attempt + 1, reason)
                        raise
                    wait = retry_policy.delay_s(exc, attempt)
            time.sleep(wait)
            check_here()  # the client may have given up during the pause
            attempt += 1

    @with_callbacks
    async def acall(self, prompt: Any = None, *, messages: Any = None, **kwargs: Any) -> Any:
        attempt = 0
        while True:
            with adapter_fallback_scope() as progress:
                try:
                    return await _acall_once(self, prompt, messages=messages, **kwargs)
                except Exception as exc:
                    again, reason = self._retry(exc, attempt, progress.emitted)
                    if not again:
                        retry_policy.counted(exc, attempt + 1, reason)
                        raise
                    wait = retry_policy.delay_s(exc, attempt)
            await asyncio.sleep(wait)
            check_here()
            attempt += 1

    def _retry(self, exc: Exception, attempt: int, emitted: bool) -> tuple[bool, str | None]:
        """Whether to try again after 0-based `attempt` failed; if not, why (None: retries used up)."""
        if emitted:  # a replay would repeat what the client has already seen
            return False, "not retried: the stream had already sent output"
        reason = retry_policy.why_not_retried(exc, str(self.kwargs.get("api_base") or ""))
        if reason is not None:
            return False, reason
        return attempt < self.retries, None
