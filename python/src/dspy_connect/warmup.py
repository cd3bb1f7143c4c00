# pyright: reportUnknownMemberType=false, reportUnknownArgumentType=false, reportUnknownVariableType=false, reportUnknownLambdaType=false
# (DSPy ships no type information: pyright reads much of what it returns as Unknown.)
"""Loads LiteLLM in the background after the worker is ready.

Importing LiteLLM takes ~5 s of CPU here, and its first completion lazily imports ~1 s more
(tokenizer, provider modules), and DSPy's disk cache, if the worker has one, takes ~0.4 s to
open. Doing that before the ready line would make every (re)start that slow, so the worker
does it right after: it sets up the LM response cache, then runs one real dspy.Predict
through LiteLLM against a private in-process provider. Calls wait for the warm-up, so none
fails, and only calls that arrive in the first seconds of a worker's life wait at all.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import os
import threading
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import dspy

from . import garbage

log = logging.getLogger("dspy_connect.worker")


class _Outcome:
    """Set once the warm-up has finished, with its error if it failed."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.error: BaseException | None = None
        self.pid = 0  # the process it ran in: a zygote's children inherit it


_outcome = _Outcome()


def start(set_up_cache: Callable[[], None], then: Callable[[], None] | None = None) -> None:
    """Warms up in a thread: `set_up_cache`, one completion through LiteLLM, then `then`."""
    threading.Thread(target=_load, args=(set_up_cache, then), name="warmup", daemon=True).start()


def run_here(set_up_cache: Callable[[], None], then: Callable[[], None] | None = None) -> None:
    """Warms up on the calling thread (the zygote's main thread: it forks only once no
    thread of ours is left)."""
    _load(set_up_cache, then)


def wait_done() -> None:
    """Blocks until the warm-up has finished, failed or not."""
    _outcome.done.wait()


def is_done() -> bool:
    return _outcome.done.is_set()


def ran_in_pid() -> int:
    """The pid of the process the warm-up ran in (a zygote's, in a forked worker); 0 before."""
    return _outcome.pid if _outcome.done.is_set() else 0


def wait() -> None:
    _outcome.done.wait()
    if _outcome.error is not None:
        raise RuntimeError(f"worker warm-up failed: {_outcome.error}")


def _load(set_up_cache: Callable[[], None], then: Callable[[], None] | None) -> None:
    started = time.perf_counter()
    _outcome.pid = os.getpid()
    try:
        set_up_cache()
        _run_one_completion()
        if then is not None:
            then()
        garbage.freeze_startup_objects()
        log.info("warm-up done in %.2f s", time.perf_counter() - started)
    except BaseException as exc:  # reported to every call through wait()
        _outcome.error = exc
        log.exception("warm-up failed")
    finally:
        _outcome.done.set()


# Modules the first call through a real HTTP provider imports lazily (DSPy's transport and cost
# table); loaded here so no first call pays for them. Private names: one gone in a later DSPy
# version is skipped.
_LAZY_MODULES = (
    "dspy._vendor.lm15.cloud",
    "dspy._vendor.lm15.cloud.hosts",
    "dspy._vendor.lm15.cloud.sigv4",
    "dspy.clients.costs",
)
_REPLY = "[[ ## reasoning ## ]]\nok\n\n[[ ## answer ## ]]\nok\n\n[[ ## completed ## ]]"


def _run_one_completion() -> None:
    # LiteLLM takes ~5 s to import (DSPy defers it too): here, in the warm-up thread.
    import litellm  # noqa: PLC0415
    from litellm.llms.custom_llm import CustomLLM  # noqa: PLC0415
    from litellm.types.utils import GenericStreamingChunk  # noqa: PLC0415

    class WarmupLLM(CustomLLM):
        def completion(self, model: str, messages: list[Any], *args: Any, **kwargs: Any) -> litellm.ModelResponse:
            return litellm.ModelResponse(model=model, choices=[{"index": 0, "message": {"role": "assistant", "content": _REPLY}}])

        # LiteLLM iterates what astreaming returns: an async generator, not the coroutine its base declares.
        async def astreaming(  # pyright: ignore[reportIncompatibleMethodOverride]
            self, model: str, messages: list[Any], *args: Any, **kwargs: Any
        ) -> AsyncIterator[GenericStreamingChunk]:
            pieces = _REPLY.split(" ")
            for i, piece in enumerate(pieces):
                last = i == len(pieces) - 1
                text = piece if last else piece + " "
                yield GenericStreamingChunk(
                    text=text, is_finished=last, finish_reason="stop" if last else "", usage=None, index=0, tool_use=None
                )

    provider = {"provider": "dspy-connect-warmup", "custom_handler": WarmupLLM()}
    litellm.custom_provider_map = [*litellm.custom_provider_map, provider]
    litellm.utils.custom_llm_setup()
    try:
        with dspy.context(lm=dspy.LM("dspy-connect-warmup/warmup", cache=False)):
            dspy.Predict("question -> answer")(question="warm-up")
            # Streamed calls take DSPy's async path (streamify over acall, anyio, LiteLLM's
            # async stream handling): its first use costs ~100 ms of imports and first-time
            # work, which a restarted worker's first call would otherwise wait for.
            asyncio.run(_stream_once())
    finally:
        litellm.custom_provider_map = [p for p in litellm.custom_provider_map if p is not provider]
    for name in _LAZY_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            log.debug("warm-up: no module %s in this DSPy", name)


async def _stream_once() -> None:
    listener = dspy.streaming.StreamListener("answer")
    # streamify's returned program takes the module's inputs as keywords (its annotation says not).
    program: Any = dspy.streamify(
        dspy.ChainOfThought("question -> answer"), stream_listeners=[listener], is_async_program=True, async_streaming=True
    )
    async for _ in program(question="warm-up"):
        pass
