"""One Registry type for commands, metrics, tools and module types: names checked one way,
a name registered once, unknown names a typed error listing the known ones."""

from __future__ import annotations

import dspy
import pytest

from dspy_connect.commands import COMMANDS, stream_command
from dspy_connect.errors import InvalidArgument, NotFound
from dspy_connect.metrics import register_metric
from dspy_connect.modules import MODULE_TYPES, register_agent, register_module
from dspy_connect.registry import Registry
from dspy_connect.tools import register_tool


def test_names_are_listed_sorted_and_unknown_ones_are_the_registrys_typed_error():
    metrics: Registry[int] = Registry("metric")
    metrics.add("b", 2)
    metrics.add("a.x-1_y", 1)
    assert metrics.names() == ["a.x-1_y", "b"]
    assert metrics.get("b") == 2
    assert "b" in metrics
    with pytest.raises(InvalidArgument, match=r"unknown metric 'nope'; this worker has \['a.x-1_y', 'b'\]"):
        metrics.get("nope")
    commands: Registry[int] = Registry("command", unknown=NotFound)
    with pytest.raises(NotFound, match="unknown command 'nope'"):
        commands.get("nope")


@pytest.mark.parametrize("name", ["", "has space", "semi;colon", "x" * 129, "é"])
def test_bad_names_are_refused(name):
    with pytest.raises(ValueError, match=r"must be 1\.\.128 letters, digits"):
        Registry[int]("tool").add(name, 1)


def test_every_plugin_kind_refuses_a_name_taken_already():
    with pytest.raises(ValueError, match="metric 'f1' is registered already"):
        register_metric("f1")(lambda example, prediction, trace=None: 1.0)
    with pytest.raises(ValueError, match="module type 'predict' is registered already"):
        register_module("predict")(lambda signature, config: dspy.Predict(signature))
    with pytest.raises(ValueError, match="module type 'react' is registered already"):
        register_agent("react")(lambda signature, config, tools: dspy.ReAct(signature, tools=tools))

    @stream_command("registry_test_once")
    def once(run, args):
        return args

    with pytest.raises(ValueError, match="command 'registry_test_once' is registered already"):
        stream_command("registry_test_once")(once)

    @register_tool(name="registry_test_tool")
    def tool(text: str) -> str:
        return text

    with pytest.raises(ValueError, match="tool 'registry_test_tool' is registered already"):
        register_tool(name="registry_test_tool")(tool)
    assert COMMANDS.get("registry_test_once") is once
    assert "predict" in MODULE_TYPES
