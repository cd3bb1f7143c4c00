"""TypeScript tools over the Run stream, against a real worker. This test plays the
client: it answers the worker's tool calls as @dspy-connect/streaming does."""

from __future__ import annotations

import json

import grpc
import pytest

from dspy_connect.testing import plugins  # noqa: F401 (registers `spell` in this process)
from dspy_connect.tools.bridge import ToolFailure
from dspy_connect.tools.bridged_tool import BridgedTool
from dspy_connect.tools.registry import TOOLS
from dspy_connect.tools.streamed_tool import join_chunks
from dspy_connect.v1 import common_pb2, run_pb2, worker_pb2

from .conftest import plugin_fixtures
from .expect import poll
from .run_client import request_queue, run_answering, until_none

CANCELLED = grpc.StatusCode.CANCELLED.value[0]
INVALID_ARGUMENT = grpc.StatusCode.INVALID_ARGUMENT.value[0]
INPUT_SCHEMA = json.dumps({"type": "object", "properties": {"input": {"type": "string"}}, "required": ["input"]}).encode()


plugins_worker, stub = plugin_fixtures("tools-w", "dspy_connect.testing.plugins")


def react_start(*tools: common_pb2.ToolSpec, python_tools: tuple[str, ...] = ()) -> run_pb2.RunStart:
    spec = common_pb2.ModuleSpec(type="react", signature="question -> answer", tools=[t.name for t in tools] + list(python_tools))
    module = run_pb2.ModuleRun(module=spec, inputs_json=b'{"question": "two words"}')
    return run_pb2.RunStart(module=module, tools=list(tools))


def tool(name: str, timeout_ms: int = 0, schema: bytes = INPUT_SCHEMA) -> common_pb2.ToolSpec:
    return common_pb2.ToolSpec(name=name, description=f"The {name} tool.", input_schema_json=schema, timeout_ms=timeout_ms)


def result(call: run_pb2.ToolCall, value) -> run_pb2.RunRequest:
    return run_pb2.RunRequest(tool_result=run_pb2.ToolResult(call_id=call.call_id, output_json=json.dumps(value).encode()))


def of(events, kind: str) -> list:
    return [getattr(e, kind) for e in events if e.WhichOneof("kind") == kind]


async def test_a_ts_tool_call_goes_out_and_its_result_is_the_observation(stub):
    def answer(call):
        chunk = run_pb2.RunRequest(tool_output=run_pb2.ToolOutput(call_id=call.call_id, chunk_json=b'"partial"'))
        return [chunk, result(call, {"rows": 2})]

    calls, events, done = await run_answering(stub, react_start(tool("lookup")), answer)
    assert done.WhichOneof("outcome") == "result_json"
    assert [c.tool_name for c in calls] == ["lookup"]
    assert json.loads(calls[0].args_json) == {"input": "next_tool_args: two words"}
    start, output, observation = of(events, "tool_start")[0], of(events, "tool_output")[0], of(events, "observation")[0]
    # One call id across the agent's events, the tool call and its streamed output.
    assert start.call_id == calls[0].call_id == output.call_id == observation.call_id
    assert (output.tool_name, json.loads(output.chunk_json), output.step) == ("lookup", "partial", 1)
    assert json.loads(observation.observation_json) == {"rows": 2}
    assert not observation.is_error
    assert json.loads(done.result_json)["trajectory"]["observation_0"] == {"rows": 2}


async def test_python_tools_stay_in_python(stub):
    calls, events, _done = await run_answering(
        stub, react_start(tool("shout"), python_tools=("word_count",)), lambda c: [result(c, "LOUD")]
    )
    assert [c.tool_name for c in calls] == ["shout"]
    assert [(o.tool_name, json.loads(o.observation_json)) for o in of(events, "observation")][:2] == [
        ("shout", "LOUD"),
        ("word_count", 3),
    ]


async def test_an_unanswered_call_times_out_with_a_tool_error(stub):
    calls, events, done = await run_answering(stub, react_start(tool("stuck", timeout_ms=200)), lambda c: [])
    assert done.WhichOneof("outcome") == "result_json"  # the agent went on
    [error] = of(events, "tool_error")
    assert (error.tool_name, error.kind, error.call_id) == ("stuck", "timeout", calls[0].call_id)
    assert calls[0].timeout_ms == 200
    assert "timed out after 200 ms" in json.loads(of(events, "observation")[0].observation_json)


async def test_a_failed_call_becomes_the_observation(stub):
    def answer(call):
        failure = run_pb2.ToolResult(call_id=call.call_id, error="no such row", error_kind="error")
        return [run_pb2.RunRequest(tool_result=failure)]

    _, events, _done = await run_answering(stub, react_start(tool("lookup")), answer)
    assert [(e.kind, e.message) for e in of(events, "tool_error")] == [("error", "no such row")]
    observation = of(events, "observation")[0]
    assert observation.is_error
    assert "no such row" in json.loads(observation.observation_json)


async def test_args_that_fail_the_schema_never_leave_the_worker(stub):
    numeric = tool("numeric", schema=json.dumps({"type": "object", "properties": {"input": {"type": "integer"}}}).encode())
    calls, events, done = await run_answering(stub, react_start(numeric), lambda c: [result(c, 1)])
    assert calls == []
    assert [e.kind for e in of(events, "tool_error")] == ["invalid_args"]
    assert done.WhichOneof("outcome") == "result_json"


# A recursive type, as zod's toJSONSchema writes it: the argument is a $ref into $defs.
TREE_SCHEMA = {
    "type": "object",
    "properties": {"input": {"$ref": "#/$defs/Node"}},
    "required": ["input"],
    "$defs": {
        "Node": {
            "type": "object",
            "properties": {"name": {"type": "string"}, "children": {"type": "array", "items": {"$ref": "#/$defs/Node"}}},
            "required": ["name"],
        }
    },
}


async def test_args_are_checked_against_referenced_definitions_in_the_worker(stub):
    tree = tool("tree", schema=json.dumps(TREE_SCHEMA).encode())
    calls, events, _done = await run_answering(stub, react_start(tree), lambda c: [result(c, 1)])
    assert calls == []  # the scripted LM sends a string where a Node belongs
    [error] = of(events, "tool_error")
    assert error.kind == "invalid_args"
    assert "is not of type 'object'" in error.message


def test_nested_references_resolve_in_the_argument_check():
    bridged = BridgedTool.from_spec(tool("tree", schema=json.dumps(TREE_SCHEMA).encode()))
    good = {"name": "root", "children": [{"name": "leaf", "children": []}]}
    assert bridged._validate_and_parse_args(input=good) == {"input": good}
    with pytest.raises(ToolFailure, match="invalid arguments for tool 'tree'"):
        bridged._validate_and_parse_args(input={"name": "root", "children": [{"children": []}]})


async def test_cancel_during_a_tool_call_ends_the_run_cancelled(stub):
    requests = await request_queue(react_start(tool("slow")))
    done: run_pb2.RunDone | None = None
    async for response in stub.Run(until_none(requests)):
        if response.WhichOneof("kind") == "tool_call":
            await requests.put(run_pb2.RunRequest(cancel=run_pb2.RunCancel(reason="user left")))
        elif response.WhichOneof("kind") == "done":
            done = response.done
    await requests.put(None)
    assert done is not None
    assert done.error.code == CANCELLED
    assert "user left" in done.error.message
    # The run's bookkeeping ends just after its done message.
    info = await poll(lambda: stub.Describe(worker_pb2.DescribeRequest()), lambda i: i.busy_threads == 0, 500, 0.02)
    assert info.busy_threads == 0


@pytest.mark.parametrize(
    "tools",
    [
        [tool("twice"), tool("twice")],
        [tool("bad_schema", schema=b"[1, 2]")],
        [tool("not_object", schema=b'{"type": "string"}')],
        [tool("bad_property", schema=b'{"type": "object", "properties": {"input": 3}}')],
    ],
)
async def test_bad_tool_specs_are_refused(stub, tools):
    _, _, done = await run_answering(stub, react_start(*tools), lambda c: [])
    assert done.error.code == INVALID_ARGUMENT


async def test_a_command_can_call_ts_tools_many_times(stub):
    start = run_pb2.RunStart(
        command=run_pb2.CommandRun(command="tool_pingpong", args_json=b'{"tool": "ping", "n": 50}'),
        tools=[tool("ping")],
    )
    calls, _, done = await run_answering(stub, start, lambda c: [result(c, json.loads(c.args_json)["i"])])
    assert len(calls) == 50
    assert len({c.call_id for c in calls}) == 50
    assert json.loads(done.result_json)["calls"] == 50


async def test_a_tool_the_agent_lacks_is_a_tool_error_the_model_sees(stub):
    start = react_start(tool("lookup"), python_tools=("word_count",))
    start.lm.CopyFrom(common_pb2.LmConfig(model="scripted/stray"))
    calls, events, done = await run_answering(stub, start, lambda c: [result(c, "found")])
    assert done.WhichOneof("outcome") == "result_json"  # the agent went on to its real tools
    [error] = of(events, "tool_error")
    assert (error.tool_name, error.kind) == ("no_such_tool", "unknown_tool")
    assert "the tools are finish, lookup, word_count" in error.message
    first = of(events, "observation")[0]
    assert (first.call_id, first.is_error) == (error.call_id, True)
    assert [c.tool_name for c in calls] == ["lookup"]
    trajectory = json.loads(done.result_json)["trajectory"]
    assert trajectory["tool_name_0"] == "no_such_tool"
    assert "unknown tool 'no_such_tool'" in trajectory["observation_0"]
    assert [trajectory[f"tool_name_{i}"] for i in (1, 2, 3)] == ["lookup", "word_count", "finish"]


async def test_a_python_generator_tool_streams_its_output(stub):
    calls, events, _done = await run_answering(stub, react_start(python_tools=("spell",)), lambda c: [])
    assert calls == []  # a Python tool stays in Python
    [start] = [s for s in of(events, "tool_start") if s.tool_name == "spell"]
    outputs = of(events, "tool_output")
    # The scripted LM's argument is "next_tool_args: two words": the first word, spelled.
    assert [json.loads(o.chunk_json) for o in outputs] == list("next_tool_args:")
    assert all((o.call_id, o.tool_name, o.step) == (start.call_id, "spell", 1) for o in outputs)
    [observation] = [o for o in of(events, "observation") if o.tool_name == "spell"]
    assert json.loads(observation.observation_json) == "next_tool_args:"
    assert not observation.is_error
    kinds = [e.WhichOneof("kind") for e in events]
    assert kinds.index("tool_output") < kinds.index("observation")  # streamed while it ran


def test_generator_tools_keep_their_schema_and_join_their_chunks():
    assert TOOLS.get("spell").args == {"input": {"type": "string"}}
    assert TOOLS.get("spell")(input="abc def") == "abc"  # outside a run: no events, same result
    assert join_chunks(["a", "b"]) == "ab"
    assert join_chunks([1, "b"]) == [1, "b"]
    assert join_chunks([]) == ""
