"""Baseline for bench/stream.ts: DSPy's own streamify in one Python process, no bridge.
Prints the first-chunk latency of dspy.Predict streamed with the instant scripted LM."""

from __future__ import annotations

import asyncio
import json
import sys
import time

from dspy_connect.env_defaults import apply_env_defaults

apply_env_defaults()  # before LiteLLM is imported: keeps it offline

import dspy  # noqa: E402 (after apply_env_defaults)

from dspy_connect.testing import scripted_lm  # noqa: E402 (after apply_env_defaults)


async def first_chunk(program) -> float:
    started = time.perf_counter()
    first = 0.0
    async for item in program(question="hi"):
        if not first and isinstance(item, dspy.streaming.StreamResponse):
            first = time.perf_counter() - started
    return first * 1000


async def main(n: int) -> None:
    samples = []
    predict = dspy.Predict("question -> answer")
    with dspy.context(lm=dspy.LM("scripted/echo", cache=False)):
        for i in range(n + 50):
            listener = dspy.streaming.StreamListener("answer")
            program = dspy.streamify(predict, stream_listeners=[listener])
            ms = await first_chunk(program)
            if i >= 50:
                samples.append(ms)
    samples.sort()
    print(json.dumps({"p50": samples[len(samples) // 2], "p99": samples[min(len(samples) - 1, int(len(samples) * 0.99))]}))


if __name__ == "__main__":
    scripted_lm.register()
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 500))
