# pyright: reportUnknownMemberType=false, reportUnknownArgumentType=false, reportUnknownVariableType=false, reportUnknownLambdaType=false
# (DSPy ships no type information: pyright reads much of what it returns as Unknown.)
"""A `memory_census` command for tests and benchmarks: what the worker holds right now.

Load it with `--import dspy_connect.testing.memory_census`. After a full collection (unless
args say `{"collect": false}`: then garbage the worker has not collected yet counts too) it
reports DSPy's global trace, the LM response cache, and how many objects of the kinds a
call or a session creates are alive, so a test can tell held memory from garbage.
"""

from __future__ import annotations

import collections
import gc
from typing import Any

import dspy
from dspy.dsp.utils.settings import main_thread_config

from ..commands import stream_command
from ..telemetry import resident_bytes

# Kinds a call or a session creates; anything of these alive after it ended is held.
COUNTED = frozenset(
    {
        "Session",
        "Predict",
        "ChainOfThought",
        "ReAct",
        "Prediction",
        "Example",
        "ModelResponse",
        "LM",
        "Tool",
    }
)


@stream_command("memory_census")
def memory_census(run: Any, args: Any) -> dict[str, Any]:
    if not (isinstance(args, dict) and args.get("collect") is False):
        gc.collect()
    return {"trace": _trace_length(), "lm_cache": _lm_cache(), "live": _live(), "rss_bytes": resident_bytes()}


def _trace_length() -> int:
    trace = main_thread_config.get("trace")
    return len(trace) if trace is not None else 0


def _lm_cache() -> dict[str, Any]:
    cache = dspy.cache
    return {
        "memory_entries": len(cache.memory_cache) if cache.enable_memory_cache else 0,
        "memory_max_entries": getattr(cache.memory_cache, "maxsize", 0) if cache.enable_memory_cache else 0,
        "disk": cache.enable_disk_cache,
        "disk_dir": cache.disk_cache_dir if cache.enable_disk_cache else "",
        "disk_bytes": cache.disk_cache.volume() if cache.enable_disk_cache else 0,
    }


def _live() -> dict[str, int]:
    counts: collections.Counter[str] = collections.Counter()
    for obj in gc.get_objects():
        kind = type(obj)
        if kind.__name__ in COUNTED:
            counts[kind.__name__] += 1
        elif isinstance(obj, type) and issubclass(obj, dspy.Signature):
            counts["Signature classes"] += 1
    return dict(counts)
