"""Baseline for bench/local-lm.ts: the prompt DSPy's ChainOfThought sends, posted straight to
the local LM server from Python, with the same decoding settings. Prints JSON."""

from __future__ import annotations

import json
import sys
import time

import dspy
import httpx

from dspy_connect.lm import LOCAL_DEFAULTS
from dspy_connect.local_lm.model import MODEL_ALIAS


def main(api_base: str, questions: list[str]) -> None:
    cot = dspy.ChainOfThought("question -> answer")
    results = []
    with httpx.Client(timeout=300) as http:
        for question in questions:
            messages = dspy.ChatAdapter().format(cot.predict.signature, demos=[], inputs={"question": question})
            started = time.perf_counter()
            reply = http.post(f"{api_base}/chat/completions",
                              json={"model": MODEL_ALIAS, "messages": messages, **LOCAL_DEFAULTS}).json()
            results.append({"seconds": time.perf_counter() - started, "tokens": reply["usage"]["completion_tokens"]})
    print(json.dumps(results))


if __name__ == "__main__":
    main(sys.argv[1], json.loads(sys.argv[2]))
