"""Floor for bench/composer.ts: the same 10 dependent Predict steps, each streamed with DSPy's
own streamify and a listener per output field, in one Python process with no bridge, no
worker and no events. Prints the total per chain of 10 (ms)."""

from __future__ import annotations

import asyncio
import json
import sys
import time

from dspy_connect.env_defaults import apply_env_defaults

apply_env_defaults()  # before LiteLLM is imported: keeps it offline

import dspy  # noqa: E402 (after apply_env_defaults)

from dspy_connect.testing import scripted_lm  # noqa: E402 (after apply_env_defaults)

STEPS = 10


async def chain(predictors: list[dspy.Predict]) -> float:
    started = time.perf_counter()
    text = "hi"
    for i, predict in enumerate(predictors):
        listener = dspy.streaming.StreamListener(f"text_{i + 1}")
        program = dspy.streamify(predict, stream_listeners=[listener])
        async for item in program(**{f"text_{i}": text}):
            if isinstance(item, dspy.Prediction):
                text = item[f"text_{i + 1}"]
    return (time.perf_counter() - started) * 1000


async def main(n: int) -> None:
    predictors = [dspy.Predict(f"text_{i} -> text_{i + 1}") for i in range(STEPS)]
    samples = []
    with dspy.context(lm=dspy.LM("scripted/echo", cache=False)):
        for i in range(n + 10):
            ms = await chain(predictors)
            if i >= 10:
                samples.append(ms)
    samples.sort()
    print(
        json.dumps(
            {
                "p50": samples[len(samples) // 2],
                "p99": samples[min(len(samples) - 1, int(len(samples) * 0.99))],
                "mean": sum(samples) / len(samples),
            }
        )
    )


if __name__ == "__main__":
    scripted_lm.register()
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 100))
