"""The shared example definitions (packages/core-proto/testdata/pipelines), the same files
the composer's vitest suite reads: each valid one parses as the contract's message and
compiles, with its inputs; each invalid one is an InvalidArgument with its expected
message. In-process: the worker's compiler, no socket."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from google.protobuf import json_format

from dspy_connect.errors import InvalidArgument
from dspy_connect.pipeline import compile_pipeline
from dspy_connect.testing import (
    pipeline_plugins,  # noqa: F401  (registers the `flaky` module the examples use)
    plugins,  # noqa: F401  (registers the `word_count` tool)
)
from dspy_connect.v1 import pipeline_pb2

EXAMPLES = Path(__file__).resolve().parents[2] / "packages" / "core-proto" / "testdata" / "pipelines"
VALID = sorted((EXAMPLES / "valid").glob("*.json"))
INVALID = sorted((EXAMPLES / "invalid").glob("*.json"))


def load(path: Path) -> tuple[dict[str, Any], pipeline_pb2.PipelineDefinition]:
    example = json.loads(path.read_text())
    return example, json_format.ParseDict(example["definition"], pipeline_pb2.PipelineDefinition())


def test_the_sets_are_there():
    assert len(VALID) >= 5, (EXAMPLES, len(VALID))
    assert len(INVALID) >= 40, (EXAMPLES, len(INVALID))


@pytest.mark.parametrize("path", VALID + INVALID, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_examples_are_canonical_protobuf_json(path):
    """What protobuf writes back is what the file holds: both languages read one form."""
    example, definition = load(path)
    assert json_format.MessageToDict(definition) == example["definition"]


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_examples_compile_and_take_their_inputs(path):
    example, definition = load(path)
    pipeline = compile_pipeline(definition)
    assert pipeline.validate_inputs(example["inputs"]) == example["inputs"]


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_examples_are_invalid_argument_with_their_message(path):
    example, definition = load(path)
    with pytest.raises(InvalidArgument) as info:
        compile_pipeline(definition)
    assert example["error"] in info.value.message
