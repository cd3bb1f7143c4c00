"""Inputs Python would spend seconds on are refused up front with a short INVALID_ARGUMENT
(issue 12, defect 9), and no error repeats a huge client value: the client gets the real
error, not RESOURCE_EXHAUSTED "metadata size exceeds limit" (defect 7)."""

from __future__ import annotations

import json

import grpc
import pytest

from dspy_connect.v1 import common_pb2, run_pb2, worker_pb2

from .conftest import plugin_fixtures
from .expect import MAX_DETAILS_CHARS, call_request, expect_code, expect_run_error, module_start, spec
from .run_client import run

INVALID = grpc.StatusCode.INVALID_ARGUMENT
HUGE = 200_000


plugins_worker, stub = plugin_fixtures("limits-w", "dspy_connect.testing.plugins")


OVERSIZED_LM = {
    "model": common_pb2.LmConfig(model="scripted/" + "e" * 1_000_000),
    "api_base": common_pb2.LmConfig(model="scripted/echo", api_base="http://" + "h" * HUGE),
    "api_key": common_pb2.LmConfig(model="scripted/echo", api_key="k" * HUGE),
    "kwargs_json": common_pb2.LmConfig(model="scripted/echo", kwargs_json=json.dumps({"x": "y" * 2_000_000}).encode()),
    "kwargs_json depth": common_pb2.LmConfig(model="scripted/echo", kwargs_json=b'{"a":' * 100 + b"1" + b"}" * 100),
}


@pytest.mark.parametrize("lm", OVERSIZED_LM.values(), ids=OVERSIZED_LM.keys())
async def test_oversized_lm_config_is_refused(stub, lm):
    details = await expect_code(stub.Call(call_request(lm=lm)), INVALID)
    assert "lm." in details
    await expect_code(stub.CreateSession(worker_pb2.CreateSessionRequest(lm=lm)), INVALID)
    await expect_run_error(stub, module_start(lm=lm), INVALID)


OVERSIZED_MODULE = {
    "module type": spec(type_="p" * HUGE),
    "signature": spec("q -> a" + " " * 10_000),
    "type expression": spec("q: Literal[" + ", ".join(f"'{i}'" for i in range(1000)) + "] -> a"),
    "instructions": spec(instructions="i" * 2_000_000),
    "config_json": spec(config_json=json.dumps({"stop": ["x"] * 10, "pad": "y" * 2_000_000}).encode()),
    "tool names": spec(type_="react", tools=["t" * 100] * 1000),
}


@pytest.mark.parametrize("module", OVERSIZED_MODULE.values(), ids=OVERSIZED_MODULE.keys())
async def test_oversized_module_spec_is_refused(stub, module):
    await expect_code(stub.Call(call_request(module)), INVALID)
    await expect_run_error(stub, module_start(module), INVALID)


async def test_oversized_ids_are_refused(stub):
    session = await stub.CreateSession(worker_pb2.CreateSessionRequest())
    await expect_code(stub.Call(call_request(session_id=session.session_id, module_id="m" * HUGE)), INVALID)
    await expect_run_error(
        stub,
        run_pb2.RunStart(
            module=run_pb2.ModuleRun(module=spec(), module_id="m" * HUGE, inputs_json=b'{"q":"x"}'), session_id=session.session_id
        ),
        INVALID,
    )


ECHOED = {
    "unknown session id": (call_request(session_id="s" * HUGE), grpc.StatusCode.NOT_FOUND),
    "bad signature": (call_request(spec("q " * 4000)), INVALID),
    "unknown field names": (call_request(inputs={f"field_{i}_" + "x" * 100: 1 for i in range(500)}), INVALID),
    "unknown tools": (call_request(spec(type_="react", tools=[f"tool_{i}" for i in range(100)])), INVALID),
    "bad field name": (call_request(spec("q" * 7000 + "- -> a")), INVALID),
    "non-ASCII module type": (call_request(spec(type_="é" * 3000)), INVALID),
}


@pytest.mark.parametrize(("request_", "code"), ECHOED.values(), ids=ECHOED.keys())
async def test_errors_echo_client_values_cut_short(stub, request_, code):
    details = await expect_code(stub.Call(request_), code)
    assert len(details.encode()) <= MAX_DETAILS_CHARS * 2


async def test_closing_an_unknown_huge_session_id_is_plain(stub):
    reply = await stub.CloseSession(worker_pb2.CloseSessionRequest(session_id="s" * HUGE))
    assert not reply.closed


async def test_run_errors_echo_client_values_cut_short(stub):
    start = run_pb2.RunStart(command=run_pb2.CommandRun(command="c" * HUGE))
    _, done = await run(stub, start)
    assert done.error.code == grpc.StatusCode.NOT_FOUND.value[0]
    assert len(done.error.message) <= MAX_DETAILS_CHARS
