"""The local model's agent steps: one JSON schema per tool, so the grammar allows only a real
tool with that tool's own arguments."""

from __future__ import annotations

from typing import Any

import dspy

from dspy_connect.local_lm.adapter import LocalJSONAdapter
from dspy_connect.local_lm.tool_choice import constrain_tool_choice
from dspy_connect.signature import build_signature


def lookup(city: str, limit: int = 3) -> str:
    """Finds a city."""
    return city


def agent() -> Any:
    """A ReAct with one tool (DSPy's annotations want a Signature class, not the string it takes)."""
    signature: Any = "question -> answer"
    return constrain_tool_choice(dspy.ReAct(signature, tools=[lookup]))


def test_each_tool_gets_its_own_arguments_schema():
    react = agent()
    lm_kwargs: dict = {}
    LocalJSONAdapter()._prepare_response_format(None, lm_kwargs, react.react.signature)
    schema = lm_kwargs["response_format"]["schema"]
    by_tool = {v["properties"]["next_tool_name"]["const"]: v for v in schema["anyOf"]}
    assert sorted(by_tool) == ["finish", "lookup"]
    args = by_tool["lookup"]["properties"]["next_tool_args"]
    assert args["properties"]["city"]["type"] == "string"
    assert args["required"] == ["city"]
    assert by_tool["finish"]["properties"]["next_tool_args"] == {"type": "object", "properties": {}, "required": []}
    assert by_tool["lookup"]["required"] == ["next_thought", "next_tool_name", "next_tool_args"]


def test_other_signatures_are_unchanged():
    lm_kwargs: dict = {}
    LocalJSONAdapter()._prepare_response_format(None, lm_kwargs, build_signature("question -> answer"))
    assert "anyOf" not in lm_kwargs["response_format"]["schema"]


def test_the_constraint_survives_saving_and_loading_state():
    react = agent()
    state = react.dump_state()
    react.load_state(state)
    lm_kwargs: dict = {}
    LocalJSONAdapter()._prepare_response_format(None, lm_kwargs, react.react.signature)
    assert "anyOf" in lm_kwargs["response_format"]["schema"]


def test_every_string_output_is_bounded_so_a_looping_reply_still_closes():
    signature: Any = build_signature("question -> answer, notes: list[str], level: int")
    lm_kwargs: dict = {}
    LocalJSONAdapter()._prepare_response_format(None, lm_kwargs, signature)
    properties = lm_kwargs["response_format"]["schema"]["properties"]
    assert properties["answer"]["maxLength"] == 400
    assert properties["notes"]["items"]["maxLength"] == 400
    assert "maxLength" not in properties["level"]
