"""The adapter for the local model: DSPy's JSONAdapter, with the signature's JSON schema always
sent in llama.cpp's own form, so the server constrains decoding with a grammar.

DSPy only sends a schema when LiteLLM's model catalogue says the model takes one, and an
unknown local model never does; a 270M model left unconstrained rarely emits parseable output.
"""

from __future__ import annotations

from typing import Any

import dspy
import pydantic

from .tool_choice import tool_choice_schema


class LocalJSONAdapter(dspy.JSONAdapter):
    def _prepare_response_format(self, lm: Any, lm_kwargs: dict[str, Any], signature: type[dspy.Signature]) -> None:
        fields: dict[str, Any] = {name: (info.annotation, ...) for name, info in signature.output_fields.items()}
        model = pydantic.create_model("Outputs", **fields)
        schema = tool_choice_schema(signature, model.model_json_schema())
        lm_kwargs["response_format"] = {"type": "json_object", "schema": schema}
