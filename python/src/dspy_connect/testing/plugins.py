"""Tools, commands and metrics that tests and benchmarks load into workers with
`--import dspy_connect.testing.plugins`. They also show how users register their own."""

from __future__ import annotations

import time
from typing import Any

from ..commands import stream_command
from ..metrics import register_metric
from ..tools import register_tool


@register_tool
def word_count(input: str) -> int:
    """Counts the words in a text."""
    return len(str(input).split())


@register_tool
def broken_tool(input: str) -> str:
    """A tool that always fails, as a tool with an outage would."""
    raise RuntimeError("broken_tool is out of order")


@stream_command("count")
def count(run: Any, args: dict[str, Any]) -> dict[str, Any]:
    """Emits `tick` events 1..to, `delay_ms` apart; returns how many it sent."""
    to, delay = int(args.get("to", 3)), float(args.get("delay_ms", 0)) / 1000
    for i in range(1, to + 1):
        run.check()
        run.emit("tick", {"i": i})
        if delay:
            time.sleep(delay)
    return {"counted": to}


@stream_command("flood")
def flood(run: Any, args: dict[str, Any]) -> dict[str, Any]:
    """Emits `n` small token events as fast as possible (benchmarks, backpressure tests).
    Returns when the last one was buffered, in worker time, so a test can tell whether the
    producer had to wait for its consumer."""
    n, check_every = int(args.get("n", 1000)), 1024
    token = run.token
    for i in range(n):
        if i % check_every == 0:
            run.check()
        token("", "answer", "x", False)
    return {"sent": n, "finished_ms": time.time() * 1000}


@stream_command("echo_args")
def echo_args(run: Any, args: Any) -> Any:
    yield ("args", args)
    return args


@stream_command("explode")
def explode(run: Any, args: Any) -> Any:
    raise ValueError("explode was asked to fail")


@register_metric("always_one")
def always_one(example: Any, prediction: Any, trace: Any = None) -> float:
    return 1.0
