# pyright: reportUnknownVariableType=false
# (DSPy ships no type information: its adapter helpers read as partly Unknown.)
"""The adapter for the local model: DSPy's JSONAdapter, with the signature's JSON schema always
sent, so the server constrains decoding with a grammar, and an output description a small
model cannot copy.

DSPy only sends a schema when LiteLLM's model catalogue says the model takes one, and an
unknown local model never does; a small model left unconstrained rarely emits parseable output.
"""

from __future__ import annotations

from typing import Any, cast

import dspy
import pydantic
from dspy.adapters.chat_adapter import FieldInfoWithName
from dspy.adapters.utils import translate_field_type

from .tool_choice import tool_choice_schema

# The longest text a local model may write in one string field. Greedy decoding on a small
# model can repeat a sentence until max_tokens, leaving JSON that never closes (a parse
# error); bounded, the field closes and the reply parses.
MAX_STRING_CHARS = 400


class LocalJSONAdapter(dspy.JSONAdapter):
    def _prepare_response_format(self, lm: Any, lm_kwargs: dict[str, Any], signature: type[dspy.Signature]) -> None:
        fields: dict[str, Any] = {name: (info.annotation, ...) for name, info in signature.output_fields.items()}
        model = pydantic.create_model("Outputs", **fields)
        schema = tool_choice_schema(signature, bounded_strings(model.model_json_schema()))
        lm_kwargs["response_format"] = {"type": "json_object", "schema": schema}

    def format_field_structure(self, signature: type[dspy.Signature]) -> str:
        # DSPy shows the outputs as `{"answer": "{answer}"}`; a 135M model copies "{answer}"
        # as its answer (10 of 60 factual questions). The grammar already fixes the shape, so
        # the outputs are only named.
        inputs = self.format_field_with_value(
            {FieldInfoWithName(name=n, info=f): translate_field_type(n, f) for n, f in signature.input_fields.items()},
            role="user",
        )
        outputs = ", then ".join(f"`{name}`" for name in signature.output_fields)
        return "\n\n".join(
            [
                "All interactions will be structured in the following way, with the appropriate values filled in.",
                "Inputs will have the following structure:",
                inputs,
                f"Outputs will be a JSON object with the keys {outputs}, each holding its value.",
            ]
        )


def bounded_strings(schema: Any) -> Any:
    """The schema with a maxLength on every string that has none."""
    if isinstance(schema, list):
        return [bounded_strings(item) for item in cast("list[Any]", schema)]
    if not isinstance(schema, dict):
        return schema
    bounded = {key: bounded_strings(value) for key, value in cast("dict[str, Any]", schema).items()}
    if bounded.get("type") == "string" and "maxLength" not in bounded and "enum" not in bounded:
        bounded["maxLength"] = MAX_STRING_CHARS
    return bounded
