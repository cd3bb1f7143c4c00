"""Turns LmConfig envelopes into dspy.LM instances. Precedence: call > session > worker."""

from __future__ import annotations

import functools
import json
import os
from dataclasses import dataclass, field
from typing import Any

import dspy

from .errors import FailedPrecondition, InvalidArgument
from .v1 import common_pb2

# The embedded local LM's OpenAI-compatible endpoint, set by the pool that runs it.
LOCAL_API_BASE_ENV = "DSPY_CONNECT_LOCAL_API_BASE"
LOCAL_MODEL_ENV = "DSPY_CONNECT_LOCAL_MODEL"


@dataclass(frozen=True)
class LmSettings:
    """A hashable copy of LmConfig, so equal configs share one dspy.LM."""

    model: str
    api_base: str = ""
    api_key: str = field(default="", repr=False)
    temperature: float | None = None
    max_tokens: int | None = None
    cache: bool | None = None
    kwargs_json: str = ""

    def public(self) -> common_pb2.LmConfig:
        """The config without its key, for Describe."""
        msg = common_pb2.LmConfig(model=self.model, api_base=self.api_base, kwargs_json=self.kwargs_json.encode())
        if self.temperature is not None:
            msg.temperature = self.temperature
        if self.max_tokens is not None:
            msg.max_tokens = self.max_tokens
        if self.cache is not None:
            msg.cache = self.cache
        return msg


def settings_from_proto(msg: common_pb2.LmConfig | None) -> LmSettings | None:
    if msg is None or not msg.model:
        return None
    kwargs = msg.kwargs_json.decode() if msg.kwargs_json else ""
    if kwargs:
        try:
            if not isinstance(json.loads(kwargs), dict):
                raise ValueError("not an object")
        except ValueError as exc:
            raise InvalidArgument(f"lm.kwargs_json must be a JSON object: {exc}") from None
    return LmSettings(
        model=msg.model,
        api_base=msg.api_base,
        api_key=msg.api_key,
        temperature=msg.temperature if msg.HasField("temperature") else None,
        max_tokens=msg.max_tokens if msg.HasField("max_tokens") else None,
        cache=msg.cache if msg.HasField("cache") else None,
        kwargs_json=kwargs,
    )


def settings_from_model(model: str) -> LmSettings | None:
    return LmSettings(model=model) if model else None


def resolve(*candidates: LmSettings | None) -> LmSettings:
    for candidate in candidates:
        if candidate is not None:
            return candidate
    raise FailedPrecondition(
        "no LM configured: pass `lm` to createClient, the session or the call, or set DSPY_CONNECT_LM"
    )


@functools.lru_cache(maxsize=64)
def build_lm(settings: LmSettings) -> dspy.LM:
    kwargs: dict[str, Any] = json.loads(settings.kwargs_json) if settings.kwargs_json else {}
    model = settings.model
    if model == "local":
        api_base = os.environ.get(LOCAL_API_BASE_ENV)
        if not api_base:
            raise FailedPrecondition(
                f"lm 'local' needs the embedded local LM server, but {LOCAL_API_BASE_ENV} is not set in this worker"
            )
        model = f"openai/{os.environ.get(LOCAL_MODEL_ENV, 'local')}"
        kwargs.setdefault("api_base", api_base)
        kwargs.setdefault("api_key", "local")
    if "/" not in model:
        raise InvalidArgument(f"lm model {settings.model!r} must be 'local' or a LiteLLM 'provider/model' string")
    if settings.api_base:
        kwargs["api_base"] = settings.api_base
    if settings.api_key:
        kwargs["api_key"] = settings.api_key
    if settings.temperature is not None:
        kwargs["temperature"] = settings.temperature
    if settings.max_tokens is not None:
        kwargs["max_tokens"] = settings.max_tokens
    if settings.cache is not None:
        kwargs["cache"] = settings.cache
    try:
        return dspy.LM(model, **kwargs)
    except Exception as exc:
        raise InvalidArgument(f"cannot build LM {settings.model!r}: {exc}") from None
