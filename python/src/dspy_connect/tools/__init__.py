"""Tools for agents: the Python tools a worker registers (its allowlist) and the bridge that
calls the TypeScript tools a run brings.

Plugins register theirs with `from dspy_connect.tools import register_tool`."""

from .registry import register_tool

__all__ = ["register_tool"]
