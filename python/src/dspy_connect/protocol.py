"""The versions a worker reports in Describe, which clients check before sending it work
(the version handshake, docs/architecture.md)."""

from __future__ import annotations

import dspy_connect

# The wire protocol's version (DescribeResponse.protocol_version; worker.proto says what
# bumps it). The client's copy is PROTOCOL_VERSION in packages/client/src/version.ts:
# bump both in the same change.
PROTOCOL_VERSION = 1

__all__ = ["PROTOCOL_VERSION", "protocol_version", "worker_version"]


def worker_version() -> str:
    """This worker's package version. Read at each use, not at import, so that a test plugin
    (dspy_connect.testing.version_skew) can make a real worker report another one."""
    return dspy_connect.__version__


def protocol_version() -> int:
    """The wire protocol this worker speaks; read at each use, like worker_version()."""
    return PROTOCOL_VERSION
