"""Baseline for bench/local-lm.ts: the request a bridged ChainOfThought sends (same messages,
same schema-constrained response_format, same decoding), posted straight to the local LM
server from Python. Prints JSON."""

from __future__ import annotations

import json
import sys
import time

import dspy
import httpx

from dspy_connect.lm import LOCAL_DEFAULTS, LOCAL_MODEL_ID
from dspy_connect.local_lm.adapter import LocalJSONAdapter


def main(api_base: str, questions: list[str]) -> None:
    signature = dspy.ChainOfThought("question -> answer").predict.signature
    adapter = LocalJSONAdapter()
    request: dict = {"model": LOCAL_MODEL_ID, **LOCAL_DEFAULTS}
    adapter._prepare_response_format(None, request, signature)
    results = []
    with httpx.Client(timeout=300) as http:
        for question in questions:
            messages = adapter.format(signature, demos=[], inputs={"question": question})
            started = time.perf_counter()
            reply = http.post(f"{api_base}/chat/completions", json={**request, "messages": messages}).json()
            results.append({"seconds": time.perf_counter() - started, "tokens": reply["usage"]["completion_tokens"]})
    print(json.dumps(results))


if __name__ == "__main__":
    main(sys.argv[1], json.loads(sys.argv[2]))
