"""The bounds of a pipeline definition, read from pipeline.proto's `pipeline_limits` file
option. The composer reads the same option, so each bound is written once, there."""

from __future__ import annotations

from typing import Any, cast

from ..v1 import pipeline_pb2

# cast: the generated stubs type an extension as a plain FieldDescriptor.
_EXTENSION = cast(Any, pipeline_pb2.pipeline_limits)
LIMITS = cast(pipeline_pb2.PipelineLimits, pipeline_pb2.DESCRIPTOR.GetOptions().Extensions[_EXTENSION])

__all__ = ["LIMITS"]
