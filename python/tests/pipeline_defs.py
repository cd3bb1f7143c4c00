"""Pipeline definitions for tests, written in the contract's protobuf JSON form
(packages/core-proto/proto/dspy_connect/v1/pipeline.proto) and parsed by protobuf."""

from __future__ import annotations

import base64
import json
from typing import Any

from google.protobuf import json_format

from dspy_connect.v1 import pipeline_pb2

CONTINUE = {"mode": "MODE_CONTINUE"}


def retry(times: int) -> dict[str, Any]:
    return {"mode": "MODE_RETRY", "retries": times}


def definition(steps: list[dict], inputs: dict[str, str] | None = None, name: str = "test") -> pipeline_pb2.PipelineDefinition:
    node = {"name": name, "inputs": {"question": "str"} if inputs is None else inputs, "steps": steps}
    return json_format.ParseDict(node, pipeline_pb2.PipelineDefinition())


def sub(*steps: dict, name: str = "", inputs: dict[str, str] | None = None) -> dict[str, Any]:
    """A nested pipeline."""
    return {**({"name": name} if name else {}), **({"inputs": inputs} if inputs else {}), "steps": list(steps)}


def json_b64(value: Any) -> str:
    """A `*_json` bytes field in protobuf JSON: base64 of the JSON text."""
    return base64.b64encode(json.dumps(value).encode()).decode()


def module_step(
    kind: str,
    name: str | None,
    signature: str,
    *,
    type: str = "",
    config: dict | None = None,
    tools: list[str] | None = None,
    inputs: dict[str, str] | None = None,
    outputs: dict[str, str] | None = None,
    on_error: dict | None = None,
) -> dict[str, Any]:
    spec: dict[str, Any] = {"signature": signature}
    if type:
        spec["type"] = type
    if config is not None:
        spec["configJson"] = json_b64(config)
    if tools:
        spec["tools"] = tools
    body: dict[str, Any] = {"module": spec}
    if inputs:
        body["inputs"] = inputs
    if outputs:
        body["outputs"] = outputs
    return _step(name, kind, body, on_error)


def predict(name: str | None, signature: str, **more: Any) -> dict[str, Any]:
    return module_step("predict", name, signature, **more)


def flaky(name: str, signature: str, fail_times: int, **more: Any) -> dict[str, Any]:
    """The `flaky` module of dspy_connect.testing.pipeline_plugins: fails its first n calls."""
    return module_step("module", name, signature, type="flaky", config={"fail_times": fail_times}, **more)


def branch(name: str | None, condition: dict, then: dict, otherwise: dict | None = None, **more: Any) -> dict[str, Any]:
    body = {"condition": condition, "ifTrue": then, **({"ifFalse": otherwise} if otherwise is not None else {})}
    return _step(name, "branch", body, more.pop("on_error", None))


def parallel(name: str | None, branches: list[dict], aggregate: dict, on_error: dict | None = None) -> dict[str, Any]:
    return _step(name, "parallel", {"branches": branches, "aggregate": aggregate}, on_error)


def map_step(name: str | None, over: str, pipeline: dict, on_error: dict | None = None, **more: Any) -> dict[str, Any]:
    return _step(name, "map", {"over": over, "pipeline": pipeline, **more}, on_error)


def sub_pipeline(name: str | None, pipeline: dict) -> dict[str, Any]:
    return _step(name, "pipeline", {"pipeline": pipeline}, None)


def _step(name: str | None, kind: str, body: dict, on_error: dict | None) -> dict[str, Any]:
    step: dict[str, Any] = {kind: body}
    if name is not None:
        step["name"] = name
    if on_error is not None:
        step["onError"] = on_error
    return step


# ---- conditions and aggregators ----


def field(name: str) -> dict[str, Any]:
    return {"field": name}


def value(literal: Any) -> dict[str, Any]:
    return {"literal": literal}


def length(operand: dict) -> dict[str, Any]:
    return {"length": operand}


def cond(op: str, left: dict, right: dict) -> dict[str, Any]:
    return {"compare": {"op": f"OP_{op.upper()}", "left": left, "right": right}}


def exists(operand: dict) -> dict[str, Any]:
    return {"exists": operand}


def negate(condition: dict) -> dict[str, Any]:
    return {"negate": condition}


def all_of(*conditions: dict) -> dict[str, Any]:
    return {"allOf": {"conditions": list(conditions)}}


def any_of(*conditions: dict) -> dict[str, Any]:
    return {"anyOf": {"conditions": list(conditions)}}


def aggregate(kind: str, **options: Any) -> dict[str, Any]:
    return {kind: options}


def condition(node: dict) -> pipeline_pb2.Condition:
    return json_format.ParseDict(node, pipeline_pb2.Condition())


def aggregator(node: dict) -> pipeline_pb2.Aggregator:
    return json_format.ParseDict(node, pipeline_pb2.Aggregator())
