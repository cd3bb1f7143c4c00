"""Calls outside a session share one instance of DSPy's own tool-less modules per spec;
other modules are built for each call."""

from __future__ import annotations

import json

import dspy
import pytest

from dspy_connect.errors import InvalidArgument
from dspy_connect.module_io import resolve_module
from dspy_connect.modules import register_module
from dspy_connect.v1 import common_pb2


def spec(kind: str, signature: str = "question -> answer", **fields) -> common_pb2.ModuleSpec:
    return common_pb2.ModuleSpec(type=kind, signature=signature, **fields)


@register_module("test_shared_modules_counter")
def counter(signature, config):
    return dspy.Predict(signature, **config)


@pytest.mark.parametrize("kind", ["predict", "chain_of_thought"])
def test_the_same_spec_gets_the_same_instance(kind):
    first, signature = resolve_module(spec(kind), "", None)
    again, _ = resolve_module(spec(kind), "", None)
    assert again is first
    assert set(signature.input_fields) == {"question"}


def test_a_different_spec_gets_its_own_instance():
    base, _ = resolve_module(spec("predict"), "", None)
    other_signature, _ = resolve_module(spec("predict", "question -> reply"), "", None)
    other_config, _ = resolve_module(spec("predict", config_json=json.dumps({"temperature": 0.1}).encode()), "", None)
    other_instructions, _ = resolve_module(spec("predict", instructions="Answer briefly."), "", None)
    assert len({id(m) for m in (base, other_signature, other_config, other_instructions)}) == 4


def test_plugin_modules_and_agents_are_built_per_call():
    plugin = spec("test_shared_modules_counter")
    assert resolve_module(plugin, "", None)[0] is not resolve_module(plugin, "", None)[0]
    agent = spec("react", tools=["word_count"])
    pytest.importorskip("dspy_connect.testing.plugins")  # registers word_count
    assert resolve_module(agent, "", None)[0] is not resolve_module(agent, "", None)[0]


def test_a_bad_spec_is_still_refused_each_time():
    for _ in range(2):
        with pytest.raises(InvalidArgument):
            resolve_module(spec("predict", "question ->"), "", None)
        with pytest.raises(InvalidArgument):
            resolve_module(spec("no_such_type"), "", None)
