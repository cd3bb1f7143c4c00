"""Baseline for bench/first-call.ts: the same first dspy.Predict in one fresh Python process,
no bridge. Prints, as JSON, the ms from the script's start to its first answer (imports of
DSPy and LiteLLM included: the work a worker's warm-up does), and to the imports' end."""

from __future__ import annotations

import json
import time

started = time.perf_counter()

from dspy_connect.env_defaults import apply_env_defaults  # noqa: E402 (timed from the start)

apply_env_defaults()  # before LiteLLM is imported: keeps it offline

import dspy  # noqa: E402 (after apply_env_defaults)

from dspy_connect.testing import scripted_lm  # noqa: E402 (after apply_env_defaults)

scripted_lm.register()
imported = time.perf_counter()
with dspy.context(lm=dspy.LM("scripted/echo", cache=False)):
    answer = dspy.Predict("question -> answer")(question="What is the capital of France?").answer
done = time.perf_counter()
if answer != "answer: What is the capital of France?":
    raise SystemExit(f"unexpected answer {answer!r}")
print(json.dumps({"imports_ms": (imported - started) * 1000, "first_answer_ms": (done - started) * 1000}))
