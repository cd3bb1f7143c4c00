"""Turns LmConfig envelopes into dspy.LM instances. Precedence: call > session > worker."""

from __future__ import annotations

import dataclasses
import functools
import json
import os
from dataclasses import dataclass, field
from typing import Any

import dspy

from . import jsonio
from .errors import FailedPrecondition, InvalidArgument, cut, echo
from .limits import check_lm_config
from .lm_environment import check_environment
from .lm_options import check_options
from .local_lm.adapter import LocalJSONAdapter
from .retry_policy import DEFAULT_RETRIES, MAX_RETRIES
from .retrying_lm import RetryingLM
from .v1 import common_pb2

# The embedded local LM's OpenAI-compatible endpoint, set by the pool that runs it.
LOCAL_API_BASE_ENV = "DSPY_CONNECT_LOCAL_API_BASE"
# The server serves one model under any name; LiteLLM needs one to register its abilities.
LOCAL_MODEL_ID = "dspy-connect-local"
# Decoding for the small local model: greedy, and capped, since a small model can repeat
# itself until the context is full.
LOCAL_DEFAULTS: dict[str, Any] = {"temperature": 0.0, "max_tokens": 512}


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
    # Retries of a transient LM failure (retry_policy.py); None: kwargs' num_retries, else the default.
    retries: int | None = None

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
    """The settings of a client's LmConfig, checked (sizes first) before anything uses them."""
    if msg is None or not msg.model:
        return None
    check_lm_config(msg)
    kwargs = ""
    if msg.kwargs_json:
        options = jsonio.loads_object(msg.kwargs_json, "lm.kwargs_json")
        check_options(options, "lm.kwargs_json")
        kwargs = jsonio.dumps(options).decode()  # as parsed: without a BOM or odd spacing
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


def with_retries(settings: LmSettings | None, retries: int | None) -> LmSettings | None:
    """`settings` with a call's or run's own retries, if it sets them."""
    if retries is not None and retries > MAX_RETRIES:
        raise InvalidArgument(f"retries must be at most {MAX_RETRIES}, got {retries}")
    if settings is None or retries is None:
        return settings
    return dataclasses.replace(settings, retries=retries)


def resolve(*candidates: LmSettings | None) -> LmSettings:
    for candidate in candidates:
        if candidate is not None:
            return candidate
    raise FailedPrecondition("no LM configured: pass `lm` to createClient, the session or the call, or set DSPY_CONNECT_LM")


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
        model = f"openai/{LOCAL_MODEL_ID}"
        kwargs = {**LOCAL_DEFAULTS, "api_base": api_base, "api_key": "local", **kwargs}
        _register_local_model(model)
    if "/" not in model:
        raise InvalidArgument(f"lm model {echo(settings.model)} must be 'local' or a LiteLLM 'provider/model' string")
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
    lm_retries = kwargs.pop("num_retries", None)  # dspy.LM's own name for it, still honoured
    retries = next(r for r in (settings.retries, lm_retries, DEFAULT_RETRIES) if r is not None)
    check_environment(model, str(kwargs.get("api_key") or ""), str(kwargs.get("api_base") or ""))
    try:
        return RetryingLM(model, retries=retries, **kwargs)
    except Exception as exc:
        raise InvalidArgument(f"cannot build LM {echo(settings.model)}: {cut(str(exc), 300)}") from None


# The adapter for an LM: $DSPY_CONNECT_ADAPTER ("chat" or "json") if set; for the local model,
# JSON constrained by the signature's schema; else DSPy's default (ChatAdapter, which falls
# back to JSONAdapter when a reply does not parse).
ADAPTER_ENV = "DSPY_CONNECT_ADAPTER"


def adapter_for(settings: LmSettings) -> dspy.Adapter | None:
    choice = os.environ.get(ADAPTER_ENV, "")
    if settings.model == "local" and choice in ("", "local-json"):
        return LocalJSONAdapter()
    if choice == "json":
        return dspy.JSONAdapter()
    if choice == "chat":
        return dspy.ChatAdapter()
    return None


def _register_local_model(model: str) -> None:
    """Tells LiteLLM (and so DSPy's JSONAdapter) that the local server takes a JSON schema,
    which it turns into a llama.cpp grammar; unknown models only get plain JSON mode."""
    # LiteLLM takes ~5 s to import; DSPy defers it, and so does the worker until the warm-up.
    import litellm  # noqa: PLC0415

    litellm.register_model(
        {
            model: {
                "litellm_provider": "openai",
                "mode": "chat",
                "supports_response_schema": True,
                "max_input_tokens": 4096,
                "max_output_tokens": LOCAL_DEFAULTS["max_tokens"],
                "input_cost_per_token": 0.0,
                "output_cost_per_token": 0.0,
            }
        }
    )
