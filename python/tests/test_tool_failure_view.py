"""One view of a failed tool: the agent's observation (the trajectory the model reads) is
the same short message the stream's `observation` and `tool_error` carry, with no
traceback and no worker paths; the traceback goes to the worker log at debug level."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

import dspy_connect
from dspy_connect.v1 import common_pb2, run_pb2

from .conftest import WorkerProcess, connect, start_worker
from .run_client import run_answering

INPUT_SCHEMA = json.dumps({"type": "object", "properties": {"input": {"type": "string"}}, "required": ["input"]}).encode()
# Where the worker's code lives: no observation may name it.
WORKER_PATHS = (str(Path(dspy_connect.__file__).parent), "site-packages")


@pytest.fixture(scope="module")
def debug_worker() -> Iterator[tuple[WorkerProcess, tempfile._TemporaryFileWrapper[str]]]:
    with tempfile.NamedTemporaryFile(mode="w+") as log:
        process = start_worker(
            "--lm",
            "scripted/echo",
            "--import",
            "dspy_connect.testing.plugins",
            env={"DSPY_CONNECT_LOG_LEVEL": "DEBUG"},
            stderr=log,
        )
        yield process, log
        process.stop()


def react_start(ts_tools: tuple[str, ...] = (), python_tools: tuple[str, ...] = ()) -> run_pb2.RunStart:
    specs = [common_pb2.ToolSpec(name=n, description=f"The {n} tool.", input_schema_json=INPUT_SCHEMA) for n in ts_tools]
    spec = common_pb2.ModuleSpec(type="react", signature="question -> answer", tools=[*ts_tools, *python_tools])
    module = run_pb2.ModuleRun(module=spec, inputs_json=b'{"question": "two words"}')
    return run_pb2.RunStart(module=module, tools=specs)


def failed(call: run_pb2.ToolCall) -> list[run_pb2.RunRequest]:
    # What @dspy-connect/tools sends for a tool that threw Error("database is down").
    error = run_pb2.ToolResult(call_id=call.call_id, error="boom failed: database is down", error_kind="error")
    return [run_pb2.RunRequest(tool_result=error)]


def of(events: list[run_pb2.Event], kind: str) -> list:
    return [getattr(e, kind) for e in events if e.WhichOneof("kind") == kind]


def worker_log(log: tempfile._TemporaryFileWrapper[str]) -> str:
    log.flush()
    return Path(log.name).read_text()


def assert_one_view(events: list[run_pb2.Event], done: run_pb2.RunDone, tool: str, message: str) -> None:
    assert done.WhichOneof("outcome") == "result_json", done
    seen = json.loads(done.result_json)["trajectory"]["observation_0"]
    assert seen == message  # what the model reads next step
    for path in WORKER_PATHS:
        assert path not in seen
    assert "Traceback" not in seen
    [error] = of(events, "tool_error")
    assert (error.tool_name, error.kind, error.message) == (tool, "error", message)
    observation = of(events, "observation")[0]
    assert observation.is_error
    assert json.loads(observation.observation_json) == message


async def test_a_failed_ts_tool_shows_the_agent_the_streams_short_message(debug_worker):
    process, log = debug_worker
    async with connect(process) as stub:
        _, events, done = await run_answering(stub, react_start(ts_tools=("boom",)), failed)
    assert_one_view(events, done, "boom", "boom failed: database is down")
    # The traceback is in the worker's debug log.
    assert "DEBUG dspy_connect.tools: tool 'boom' failed\nTraceback (most recent call last)" in worker_log(log)


async def test_a_failed_python_tool_shows_the_agent_the_streams_short_message(debug_worker):
    process, log = debug_worker
    async with connect(process) as stub:
        _, events, done = await run_answering(stub, react_start(python_tools=("broken_tool",)))
    assert_one_view(events, done, "broken_tool", "RuntimeError: broken_tool is out of order")
    # The traceback, with the tool's own frame, is in the worker's debug log.
    text = worker_log(log)
    assert "DEBUG dspy_connect.tools: tool 'broken_tool' failed\nTraceback (most recent call last)" in text
    assert 'raise RuntimeError("broken_tool is out of order")' in text
