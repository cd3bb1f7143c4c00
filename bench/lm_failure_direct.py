"""Baseline for bench/lm-failure.ts: a failing LM call with DSPy directly, in one Python
process, with dspy.LM's default retries. Prints, as JSON, the ms until the call raised."""

from __future__ import annotations

import json
import time

from dspy_connect.env_defaults import apply_env_defaults

apply_env_defaults()  # before LiteLLM is imported: keeps it offline

import dspy  # noqa: E402 (after apply_env_defaults)

from dspy_connect.testing import scripted_lm  # noqa: E402 (after apply_env_defaults)

scripted_lm.register()
with dspy.context(lm=dspy.LM("scripted/echo", cache=False)):
    dspy.Predict("question -> answer")(question="warm")  # imports and first-call costs, untimed
started = time.perf_counter()
try:
    with dspy.context(lm=dspy.LM("scripted/fail", cache=False)):
        dspy.Predict("question -> answer")(question="q")
except Exception:  # the failure is what is timed
    failed_ms = (time.perf_counter() - started) * 1000
else:
    raise SystemExit("scripted/fail answered")
print(json.dumps({"failed_ms": failed_ms}))
