"""Caps on the size of client input, checked before any work that grows with it.

Python spends seconds on some inputs long before it fails on them (a 10 MB model string
held LiteLLM's parsing for ~30 s), and the worker answers every RPC from one event loop
and one GIL. Each limit is far above real use; going past one is an INVALID_ARGUMENT
naming the limit. The README lists them.
"""

from __future__ import annotations

from .errors import InvalidArgument
from .v1 import common_pb2

# LmConfig
MAX_MODEL_CHARS = 512  # LiteLLM model strings, ARNs included, are < 200
MAX_API_BASE_CHARS = 2048
MAX_API_KEY_CHARS = 16_384  # cloud access tokens (JWTs) run to a few KB
MAX_LM_KWARGS_BYTES = 256 * 1024

# ModuleSpec
MAX_MODULE_TYPE_CHARS = 128
MAX_SIGNATURE_CHARS = 8192
MAX_TYPE_CHARS = 2048  # one field's type expression, e.g. a Literal of many options
MAX_TYPE_DEPTH = 8  # list[dict[str, list[int]]] is 4
MAX_FIELDS = 64  # per side of a signature
MAX_INSTRUCTIONS_CHARS = 100_000
MAX_CONFIG_BYTES = 256 * 1024
MAX_TOOL_NAMES = 64  # Python tools named by one module
MAX_NAME_CHARS = 128  # a tool name, a module_id

# Any JSON a client sends: nesting deeper than this is refused (Python's parser recurses).
MAX_JSON_DEPTH = 64


def check_chars(value: str, limit: int, what: str) -> None:
    if len(value) > limit:
        raise InvalidArgument(f"{what} is {len(value):,} characters; the limit is {limit:,}")


def check_bytes(value: bytes, limit: int, what: str) -> None:
    if len(value) > limit:
        raise InvalidArgument(f"{what} is {len(value):,} bytes; the limit is {limit:,}")


def check_lm_config(msg: common_pb2.LmConfig) -> None:
    check_chars(msg.model, MAX_MODEL_CHARS, "lm.model")
    check_chars(msg.api_base, MAX_API_BASE_CHARS, "lm.api_base")
    check_chars(msg.api_key, MAX_API_KEY_CHARS, "lm.api_key")
    check_bytes(msg.kwargs_json, MAX_LM_KWARGS_BYTES, "lm.kwargs_json")


def check_module_spec(spec: common_pb2.ModuleSpec) -> None:
    check_chars(spec.type, MAX_MODULE_TYPE_CHARS, "module.type")
    check_chars(spec.signature, MAX_SIGNATURE_CHARS, "module.signature")
    check_chars(spec.instructions, MAX_INSTRUCTIONS_CHARS, "module.instructions")
    check_bytes(spec.config_json, MAX_CONFIG_BYTES, "module.config_json")
    if len(spec.tools) > MAX_TOOL_NAMES:
        raise InvalidArgument(f"module.tools names {len(spec.tools):,} tools; the limit is {MAX_TOOL_NAMES}")
    for name in spec.tools:
        check_chars(name, MAX_NAME_CHARS, "a name in module.tools")


def check_id(value: str, what: str) -> None:
    """A client-chosen id (module_id): bounded, printable."""
    check_chars(value, MAX_NAME_CHARS, what)
    if not value.isprintable():
        raise InvalidArgument(f"{what} must be printable characters")
