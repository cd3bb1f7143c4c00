"""For bench/local-lm-server.ts: the chat-completion requests a `question -> answer`
ChainOfThought sends the local model (the LocalJSONAdapter's messages and schema-constrained
response_format, the local decoding defaults), one per question, built once by DSPy.

    python bench/local_lm_requests.py '["question", ...]'   # prints a JSON list of request bodies
"""

from __future__ import annotations

import json
import sys
from typing import Any

import dspy

from dspy_connect.lm import LOCAL_DEFAULTS
from dspy_connect.local_lm.adapter import LocalJSONAdapter


def requests(questions: list[str]) -> list[dict[str, Any]]:
    signature = dspy.ChainOfThought("question -> answer").predict.signature
    adapter = LocalJSONAdapter()
    shared: dict[str, Any] = dict(LOCAL_DEFAULTS)
    adapter._prepare_response_format(None, shared, signature)  # as DSPy does before each call
    return [{**shared, "messages": adapter.format(signature, demos=[], inputs={"question": question})} for question in questions]


if __name__ == "__main__":
    print(json.dumps(requests(json.loads(sys.argv[1]))))
