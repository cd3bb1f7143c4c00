"""Bad client input gets INVALID_ARGUMENT from every RPC, and a Run still ends with its
`done`; genuine LM failures stay INTERNAL (issue 12, defect 6)."""

from __future__ import annotations

import grpc
import pytest

from dspy_connect.v1 import common_pb2, worker_pb2

from .conftest import plugin_fixtures
from .expect import call_request, expect_code, expect_run_error, module_start, spec

INVALID = grpc.StatusCode.INVALID_ARGUMENT
BAD_KWARGS = {
    "invalid UTF-8": b'{"a": "\xff\xfe"}',
    "100k-level nesting": b"[" * 100_000,
    "a lone surrogate": b'{"a": "\\ud800"}',
}


plugins_worker, stub = plugin_fixtures("bad-w", "dspy_connect.testing.plugins")


@pytest.mark.parametrize("kwargs", BAD_KWARGS.values(), ids=BAD_KWARGS.keys())
async def test_bad_lm_kwargs_json_is_invalid_argument_everywhere(stub, kwargs):
    lm = common_pb2.LmConfig(model="scripted/echo", kwargs_json=kwargs)
    details = await expect_code(stub.CreateSession(worker_pb2.CreateSessionRequest(lm=lm)), INVALID)
    assert "lm.kwargs_json" in details
    assert "lm.kwargs_json" in await expect_code(stub.Call(call_request(lm=lm)), INVALID)
    assert "lm.kwargs_json" in await expect_run_error(stub, module_start(lm=lm), INVALID)


async def test_lm_kwargs_json_as_any_json_parser_reads_it_works(stub):
    """A byte-order mark before the JSON is read past, as in every other JSON field."""
    lm = common_pb2.LmConfig(model="scripted/echo", kwargs_json=b'\xef\xbb\xbf{"temperature": 0.1}')
    reply = await stub.Call(call_request(inputs={"q": "bom"}, lm=lm))
    assert reply.outputs_json == b'{"a":"a: bom"}'
    session = await stub.CreateSession(worker_pb2.CreateSessionRequest(lm=lm))
    reply = await stub.Call(call_request(inputs={"q": "bom"}, session_id=session.session_id))
    assert reply.outputs_json == b'{"a":"a: bom"}'


TYPE_BOMBS = {
    "8,000 unary minus": "q: list[" + "-" * 8000 + "1] -> a",
    "deep subscripts": "q: " + "list[" * 150 + "str" + "]" * 150 + " -> a",
    "null byte": "q: st\x00r -> a",
    "long union": "q: " + "|".join(["int"] * 1500) + " -> a",
}


@pytest.mark.parametrize("signature", TYPE_BOMBS.values(), ids=TYPE_BOMBS.keys())
async def test_hostile_type_expression_is_invalid_argument(stub, signature):
    await expect_code(stub.Call(call_request(spec(signature))), INVALID)
    await expect_run_error(stub, module_start(spec(signature)), INVALID)


async def test_lone_surrogate_in_inputs_is_invalid_argument(stub):
    for body in (b'{"q": "\\ud800"}', b'{"q": ["ok", {"k": "\\udfff"}]}', b'{"\\ud800": "x"}'):
        assert "surrogate" in await expect_code(stub.Call(call_request(inputs=body)), INVALID)
        assert "surrogate" in await expect_run_error(stub, module_start(inputs=body), INVALID)


async def test_non_finite_numbers_in_inputs_are_invalid_argument(stub):
    await expect_code(stub.Call(call_request(spec("q: float -> a"), inputs=b'{"q": NaN}')), INVALID)
    await expect_run_error(stub, module_start(spec("q: float -> a"), inputs=b'{"q": -Infinity}'), INVALID)


WRONG_CONFIG = {
    "callbacks: 5": ("predict", b'{"callbacks": 5}'),
    "temperature: hot": ("predict", b'{"temperature": "hot"}'),
    "max_tokens: -3": ("chain_of_thought", b'{"max_tokens": -3}'),
    "n: true": ("predict", b'{"n": true}'),
    "rationale_field": ("chain_of_thought", b'{"rationale_field": "r"}'),
    "react max_iters: x": ("react", b'{"max_iters": "x"}'),
    "react max_iters: 0": ("react", b'{"max_iters": 0}'),
}


@pytest.mark.parametrize(("module_type", "config"), WRONG_CONFIG.values(), ids=WRONG_CONFIG.keys())
async def test_module_config_of_the_wrong_type_is_invalid_argument(stub, module_type, config):
    module = spec(type_=module_type, config_json=config, tools=["word_count"] if module_type == "react" else [])
    assert "config" in await expect_code(stub.Call(call_request(module)), INVALID)
    assert "config" in await expect_run_error(stub, module_start(module), INVALID)


async def test_good_module_config_still_works(stub):
    config = b'{"temperature": 0.5, "max_tokens": 64, "n": 1, "stop": ["\\n\\n"]}'
    reply = await stub.Call(call_request(spec(config_json=config), inputs={"q": "hi"}))
    assert reply.outputs_json == b'{"a":"a: hi"}'
    module = spec("question -> answer", type_="react", config_json=b'{"max_iters": 3}', tools=["word_count"])
    reply = await stub.Call(call_request(module, inputs={"question": "one two"}))
    assert b"answer" in reply.outputs_json


async def test_genuine_lm_failure_stays_internal(stub):
    failing = common_pb2.LmConfig(model="scripted/fail")
    assert "DSPy call failed" in await expect_code(stub.Call(call_request(lm=failing)), grpc.StatusCode.INTERNAL)
    await expect_run_error(stub, module_start(lm=failing), grpc.StatusCode.INTERNAL)
