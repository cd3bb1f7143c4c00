"""Baseline for bench/concurrency.ts: DSPy in one Python process, no bridge. Streamed
ChainOfThought with dspy.streamify on one asyncio loop, against the same stand-in server.

    python bench/concurrency_direct.py API_BASE MODEL

Prints {"ready": true} once warm, then reads one JSON round per stdin line,
{"level": N, "waves": W}: W waves of N streams started together, with async_max_workers = N.
Answers each with one JSON line: calls, seconds, first-token ms (from its wave's start),
this process's CPU seconds, and how many calls answered.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time
from typing import Any

from dspy_connect.env_defaults import apply_env_defaults

apply_env_defaults()  # before LiteLLM is imported: keeps it offline

import dspy  # noqa: E402 (after apply_env_defaults)

ANSWER = "Paris"  # what the stand-in answers (bench/openai-stand-in.ts)


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def one_call(module: dspy.Module, started: float) -> tuple[float, bool]:
    """One streamed call: ms from `started` to its first token, and whether it answered."""
    listeners = [
        dspy.streaming.StreamListener(field, predict=predictor, predict_name=name)
        for name, predictor in module.named_predictors()
        for field in ("reasoning", "answer")
    ]
    program: Any = dspy.streamify(module, stream_listeners=listeners)
    first = 0.0
    answered = False
    async for item in program(question="What is the capital of France?"):
        if not first and isinstance(item, dspy.streaming.StreamResponse):
            first = (time.perf_counter() - started) * 1000
        if isinstance(item, dspy.Prediction):
            answered = str(item.answer).startswith(ANSWER) and bool(item.reasoning)
    return first, answered and first > 0


async def run_round(module: dspy.Module, level: int, waves: int) -> dict[str, Any]:
    dspy.configure(async_max_workers=level)
    firsts: list[float] = []
    ok = 0
    cpu = cpu_seconds()
    started = time.perf_counter()
    for _ in range(waves):
        wave_started = time.perf_counter()
        for first, answered in await asyncio.gather(*(one_call(module, wave_started) for _ in range(level))):
            firsts.append(first)
            ok += answered
    seconds = time.perf_counter() - started
    return {"calls": level * waves, "seconds": seconds, "first_ms": firsts, "cpu_s": cpu_seconds() - cpu, "ok": ok}


async def main(api_base: str, model: str) -> None:
    dspy.configure(lm=dspy.LM(model, api_base=api_base, api_key="x", cache=False))
    module = dspy.ChainOfThought("question -> answer")
    await run_round(module, 2, 1)  # imports and first-call costs, untimed
    print(json.dumps({"ready": True}), flush=True)
    loop = asyncio.get_running_loop()
    while line := await loop.run_in_executor(None, sys.stdin.readline):
        request = json.loads(line)
        print(json.dumps(await run_round(module, request["level"], request["waves"])), flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
