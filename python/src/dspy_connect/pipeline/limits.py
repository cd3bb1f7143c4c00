"""The bounds of a pipeline definition, read from pipeline.proto's `pipeline_limits` file
option. The composer reads the same option, so each bound is written once, there."""

from __future__ import annotations

from ..v1 import pipeline_pb2

LIMITS: pipeline_pb2.PipelineLimits = pipeline_pb2.DESCRIPTOR.GetOptions().Extensions[pipeline_pb2.pipeline_limits]

__all__ = ["LIMITS"]
