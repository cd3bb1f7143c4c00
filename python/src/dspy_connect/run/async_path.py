# pyright: reportUnknownMemberType=false, reportUnknownArgumentType=false, reportUnknownVariableType=false, reportUnknownLambdaType=false
# (DSPy ships no type information: pyright reads much of what it returns as Unknown.)
"""Whether a module can run on DSPy's async path (`acall`) without changing what it does."""

from __future__ import annotations

from typing import Any

import dspy

__all__ = ["has_async_path", "is_plain_predictor"]


def has_async_path(module: dspy.Module) -> bool:
    """True when the module and every module inside it define `aforward` where they define
    `forward`, or lower in their class: a subclass that overrides only `forward` (a user's
    plugin built on dspy.Predict, say) would lose its own code on the async path."""
    return all(_async_as_sync(sub) for _, sub in module.named_sub_modules())


def _async_as_sync(module: Any) -> bool:
    mro = type(module).__mro__
    defines_async = _owner(mro, "aforward")
    if defines_async is None:
        return False
    defines_sync = _owner(mro, "forward")
    return defines_sync is None or defines_async <= defines_sync


def _owner(mro: tuple[type, ...], name: str) -> int | None:
    """The position in the MRO of the class that defines `name`."""
    return next((i for i, cls in enumerate(mro) if name in vars(cls)), None)


def is_plain_predictor(module: dspy.Module) -> bool:
    """DSPy's own Predict or ChainOfThought, not a subclass. Awaited on the loop it needs no
    DSPy callbacks of ours: cancelling its task stops it (no cancel callback) and it calls no
    tools (no agent events). Without callbacks DSPy skips its per-call callback wrapping
    (`inspect.getcallargs` and friends), ~0.8 ms of CPU per streamed ChainOfThought."""
    return type(module) in (dspy.Predict, dspy.ChainOfThought)
