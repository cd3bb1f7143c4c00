"""The composer's engine: pipeline definitions (the contract's PipelineDefinition message)
are validated and compiled once, then run many times inside one Run, streaming every step."""

from .definition import Pipeline, compile_pipeline

__all__ = ["Pipeline", "compile_pipeline"]
