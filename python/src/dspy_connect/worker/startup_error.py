"""The error a worker reports in one line before it exits with code 2 (a setup mistake, not a crash)."""

from __future__ import annotations

__all__ = ["StartupError"]


class StartupError(Exception):
    pass
