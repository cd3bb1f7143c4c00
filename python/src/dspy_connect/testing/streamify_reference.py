# pyright: reportUnknownMemberType=false, reportUnknownArgumentType=false, reportUnknownVariableType=false, reportUnknownLambdaType=false
# (DSPy ships no type information: pyright reads much of what it returns as Unknown.)
"""What DSPy's own streamify yields for a module, printed as JSON: the reference the
parity test compares the worker's token events against.

    python -m dspy_connect.testing.streamify_reference '{"type": "chain_of_thought",
        "signature": "question -> answer", "inputs": {"question": "hi"}, "lm": "scripted/echo"}'

It uses plain dspy.streamify with one StreamListener per output field, nothing of ours but
the module builder and the scripted LM provider.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

import dspy

from ..env_defaults import apply_env_defaults
from ..modules import build_module
from ..v1 import common_pb2


async def reference(spec: dict[str, Any]) -> list[dict[str, Any]]:
    module, _ = build_module(common_pb2.ModuleSpec(type=spec["type"], signature=spec["signature"]))
    listeners = [
        dspy.streaming.StreamListener(field, predict=predictor, predict_name=name, allow_reuse=True)
        for name, predictor in module.named_predictors()
        for field in _output_names(predictor.signature)
    ]
    # The streamed program takes the module's inputs as keywords (DSPy annotates two positionals).
    program: Any = dspy.streamify(module, stream_listeners=listeners)
    with dspy.context(lm=dspy.LM(spec["lm"], cache=False)):
        return [
            {
                "predictor": item.predict_name,
                "field": item.signature_field_name,
                "delta": item.chunk,
                "last": item.is_last_chunk,
            }
            async for item in program(**spec["inputs"])
            if isinstance(item, dspy.streaming.StreamResponse)
        ]


def _output_names(signature: Any) -> list[str]:
    """A Signature class's output field names (DSPy's annotations miss its class properties)."""
    return list(signature.output_fields)


def main() -> None:
    apply_env_defaults()
    # scripted_lm imports LiteLLM, which must load after apply_env_defaults (offline cost map).
    from . import scripted_lm  # noqa: PLC0415

    scripted_lm.register()
    print(json.dumps(asyncio.run(reference(json.loads(sys.argv[1])))))


if __name__ == "__main__":
    main()
