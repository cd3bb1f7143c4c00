# pyright: reportUnknownMemberType=false, reportUnknownArgumentType=false, reportUnknownVariableType=false, reportUnknownLambdaType=false
# (DSPy ships no type information: pyright reads much of what it returns as Unknown.)
"""Tools, commands and metrics that tests and benchmarks load into workers with
`--import dspy_connect.testing.plugins`. They also show how users register their own."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Iterator
from typing import Any

import dspy

from ..commands import stream_command
from ..metrics import register_metric
from ..modules import register_agent, register_module
from ..tools import register_tool


@register_tool
def word_count(input: str) -> int:
    """Counts the words in a text."""
    return len(str(input).split())


@register_tool
def spell(input: str) -> Iterator[str]:
    """Spells the first word of a text, one letter at a time (a streaming tool)."""
    yield from str(input).split()[0] if str(input).split() else ""


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


@stream_command("hold_gil")
def hold_gil(run: Any, args: dict[str, Any]) -> dict[str, Any]:
    """Holds the GIL for `seconds`, as a huge input's parsing in one C call would: the event
    loop (and so health checks) cannot run meanwhile, but the process works."""
    started = time.perf_counter()
    _hold_gil(float(args.get("seconds", 1)))
    return {"held_s": time.perf_counter() - started}


@stream_command("hold_gil_in_pulses")
def hold_gil_in_pulses(run: Any, args: dict[str, Any]) -> dict[str, Any]:
    """Holds the GIL in pulses of `pulse_s` for `seconds` in all: the event loop runs only
    between them, so it lags by about a pulse, as on a worker whose CPU is saturated."""
    seconds, pulse_s = float(args.get("seconds", 1)), float(args.get("pulse_s", 0.2))
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        run.check()
        _hold_gil(pulse_s)
        time.sleep(0.005)  # the loop's turn
    return {"held_s": time.perf_counter() - started}


def _hold_gil(seconds: float) -> None:
    started = time.perf_counter()
    # Other threads ask for the GIL only after the switch interval: past the hold, this thread
    # keeps it between its short C calls, however fast or loaded the machine is.
    interval = sys.getswitchinterval()
    sys.setswitchinterval(seconds + 60)
    try:
        while time.perf_counter() - started < seconds:
            sum(range(100_000))  # builtins never release the GIL
    finally:
        sys.setswitchinterval(interval)


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


class CallAllTools(dspy.Module):
    """An agent that calls every one of its tools at once (async path, asyncio.gather) with
    `{"input": <the first input>}` and answers with their outputs joined by newlines."""

    def __init__(self, signature: Any, tools: list[dspy.Tool]) -> None:
        super().__init__()
        self.signature, self.tools = signature, tools

    def forward(self, **kwargs: Any) -> dspy.Prediction:
        first = next(iter(kwargs.values()), "")
        outputs = asyncio.run(self._all(first))
        answer = "\n".join(str(o) for o in outputs)
        return dspy.Prediction(**dict.fromkeys(self.signature.output_fields, answer))

    async def _all(self, first: Any) -> list[Any]:
        results = await asyncio.gather(*(tool.acall(input=first) for tool in self.tools), return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException) and not isinstance(result, Exception):
                raise result  # the run was cancelled
        return [f"error: {r}" if isinstance(r, Exception) else r for r in results]


@register_agent("call_all_tools")
def call_all_tools(signature: Any, config: dict[str, Any], tools: list[dspy.Tool]) -> dspy.Module:
    return CallAllTools(signature, tools)


@stream_command("tool_pingpong")
def tool_pingpong(run: Any, args: dict[str, Any]) -> dict[str, Any]:
    """Calls the run's TypeScript tool `tool` `n` times, one after another; returns each
    round trip in ms as Python measured it."""
    tool, n = str(args.get("tool", "ping")), int(args.get("n", 100))
    times: list[float] = []
    for i in range(n):
        started = time.perf_counter()
        run.call_tool(tool, {"i": i})
        times.append((time.perf_counter() - started) * 1000)
    return {"calls": n, "ms": times}


@register_module("refine")
def refine(signature: Any, config: dict[str, Any]) -> dspy.Module:
    """dspy.Refine around a Predict, as a user's module might be: it extends the DSPy trace
    of the call it runs in with its best attempt's."""
    return dspy.Refine(dspy.Predict(signature), N=2, reward_fn=lambda args, prediction: 1.0, threshold=1.0)
