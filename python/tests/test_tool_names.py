"""Tool names follow tool_names.proto's rules on the worker too (defineTool checks them in
TypeScript first): a bad or reserved name is refused with INVALID_ARGUMENT before the run
starts, not replaced by DSPy's own tool or failed later."""

from __future__ import annotations

import json

import grpc
import pytest

from dspy_connect.tools import register_tool
from dspy_connect.v1 import common_pb2, run_pb2

from .conftest import plugin_fixtures
from .run_client import run_answering

INVALID_ARGUMENT = grpc.StatusCode.INVALID_ARGUMENT.value[0]
INPUT_SCHEMA = json.dumps({"type": "object", "properties": {"input": {"type": "string"}}}).encode()

plugins_worker, stub = plugin_fixtures("tool-names-w", "dspy_connect.testing.plugins")


def react_with(name: str) -> run_pb2.RunStart:
    spec = common_pb2.ModuleSpec(type="react", signature="question -> answer", tools=[name])
    module = run_pb2.ModuleRun(module=spec, inputs_json=b'{"question": "q"}')
    tool = common_pb2.ToolSpec(name=name, description="A tool.", input_schema_json=INPUT_SCHEMA)
    return run_pb2.RunStart(module=module, tools=[tool])


def answer(call: run_pb2.ToolCall) -> list[run_pb2.RunRequest]:
    return [run_pb2.RunRequest(tool_result=run_pb2.ToolResult(call_id=call.call_id, output_json=b'"found"'))]


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("bad name!", "tool name 'bad name!' must be a letter or _, then letters, digits, _ or - (64 at most)"),
        ("x" * 65, "must be a letter or _"),
        ("1st", "must be a letter or _"),
        ("finish", "tool name 'finish' is reserved: DSPy's agents have a tool of that name"),
    ],
)
async def test_a_ts_tool_with_a_bad_or_reserved_name_is_refused(stub, name, said):
    calls, _, done = await run_answering(stub, react_with(name), answer)
    assert calls == []
    assert done.error.code == INVALID_ARGUMENT
    assert said in done.error.message
    # The worker stays up: a tool with a good name runs.
    _, _, ok = await run_answering(stub, react_with("good_name-2"), answer)
    assert ok.WhichOneof("outcome") == "result_json"


@pytest.mark.parametrize("name", ["finish", "bad name!", "dotted.name"])
def test_a_python_tool_with_a_bad_or_reserved_name_is_refused_at_registration(name):
    def tool(text: str) -> str:
        return text

    with pytest.raises(ValueError, match=f"tool name {name!r}"):
        register_tool(name=name)(tool)
