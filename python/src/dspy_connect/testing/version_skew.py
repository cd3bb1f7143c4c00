"""A worker plugin for the version handshake's tests: `--import dspy_connect.testing.version_skew`
makes the worker report the package version in $DSPY_CONNECT_TEST_WORKER_VERSION and the
protocol version in $DSPY_CONNECT_TEST_PROTOCOL_VERSION (either may be unset) instead of its
own, so a test can run a real worker that a client must refuse. Nothing else imports it."""

from __future__ import annotations

import os

import dspy_connect

from .. import protocol

WORKER_VERSION_ENV = "DSPY_CONNECT_TEST_WORKER_VERSION"
PROTOCOL_VERSION_ENV = "DSPY_CONNECT_TEST_PROTOCOL_VERSION"

__all__ = ["PROTOCOL_VERSION_ENV", "WORKER_VERSION_ENV"]

if os.environ.get(WORKER_VERSION_ENV):
    dspy_connect.__version__ = os.environ[WORKER_VERSION_ENV]
if os.environ.get(PROTOCOL_VERSION_ENV):
    protocol.PROTOCOL_VERSION = int(os.environ[PROTOCOL_VERSION_ENV])
