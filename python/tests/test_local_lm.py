import json

from dspy_connect.local_lm.json_schema import rewrite
from dspy_connect.local_lm.model import ensure_model


def test_json_schema_response_format_becomes_llama_cpp_json_object():
    schema = {"type": "object", "properties": {"answer": {"type": "string"}}, "required": ["answer"]}
    body = {"messages": [], "response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": schema}}}
    assert json.loads(rewrite(json.dumps(body).encode()))["response_format"] == {"type": "json_object", "schema": schema}


def test_other_bodies_pass_through_unchanged():
    for body in (b'{"messages": []}', b'{"response_format": {"type": "text"}}', b"not json"):
        assert rewrite(body) == body


def test_model_is_assembled_once_and_reused(tmp_path):
    first = ensure_model(tmp_path)
    assert first.stat().st_size > 200_000_000
    mtime = first.stat().st_mtime_ns
    assert ensure_model(tmp_path) == first
    assert first.stat().st_mtime_ns == mtime  # verified, not rewritten
