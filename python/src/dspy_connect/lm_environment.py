"""The up-front key check: asks LiteLLM (`validate_environment`, local, no network) which
environment variables a model's provider needs, so a missing key is a FailedPrecondition
naming them before any work, for every provider LiteLLM knows (Azure, Bedrock, Vertex...).

Not checked: lm "local", and LMs given an api_key or api_base (self-hosted servers often
need no key, and LiteLLM would ask for the provider's hosted key).
"""

from __future__ import annotations

import contextlib
import sys
from typing import Any

from .errors import FailedPrecondition, echo

__all__ = ["check_environment", "missing_keys"]

# Providers whose server runs on this machine by default: LiteLLM lists their API base as
# "missing", though they work without it.
_LOCAL_SERVER_PROVIDERS = frozenset({"ollama", "ollama_chat"})


def missing_keys(model: str, api_key: str = "", api_base: str = "") -> list[str]:
    """The variables `model` needs that this process's environment lacks ([] if none)."""
    if model == "local" or api_key or api_base or "/" not in model:
        return []
    # LiteLLM takes ~5 s to import: the warm-up has imported it before anyone asks.
    import litellm  # noqa: PLC0415

    # LiteLLM prints a provider list to stdout for a provider it does not know.
    with contextlib.redirect_stdout(sys.stderr):
        try:
            report: dict[str, Any] = litellm.validate_environment(model)  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
        except Exception:
            return []
    missing = [str(key) for key in report.get("missing_keys", [])]
    if model.split("/", 1)[0] in _LOCAL_SERVER_PROVIDERS:
        missing = [key for key in missing if not key.endswith("_API_BASE")]
    return missing


def check_environment(model: str, api_key: str = "", api_base: str = "") -> None:
    """Raises FailedPrecondition naming what `model` needs and the worker lacks."""
    missing = missing_keys(model, api_key, api_base)
    if missing:
        raise FailedPrecondition(
            f"lm {echo(model)} needs {', '.join(missing)} in the worker's environment "
            "(LiteLLM's validate_environment), or an api_key with the LM"
        )
