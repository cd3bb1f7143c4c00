"""Fixtures that run a real worker process and talk to it over its real Unix socket."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest

from dspy_connect.v1 import worker_pb2_grpc

READY_PREFIX = "DSPY_CONNECT_READY "


@dataclass
class WorkerProcess:
    proc: subprocess.Popen
    address: str
    ready: dict

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.terminate()
        return self.proc.wait(timeout=15)


def start_worker(*extra: str, env: dict[str, str] | None = None) -> WorkerProcess:
    """Spawns `python -m dspy_connect.worker` and waits for its ready line."""
    full_env = {**os.environ, "DSPY_CONNECT_TEST_PROVIDERS": "1", **(env or {})}
    proc = subprocess.Popen(
        [sys.executable, "-m", "dspy_connect.worker", "--exit-with-stdin", *extra],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=full_env,
        text=True,
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith(READY_PREFIX):
            ready = json.loads(line[len(READY_PREFIX):])
            # Keep reading stdout, as the TS pool does: a full pipe would block the worker.
            threading.Thread(target=proc.stdout.read, daemon=True).start()
            return WorkerProcess(proc, ready["address"], ready)
    raise RuntimeError(f"worker exited before it was ready (code {proc.wait()})")


@pytest.fixture(scope="session")
def worker() -> Iterator[WorkerProcess]:
    folder = Path(tempfile.mkdtemp(prefix="dc-test-"))
    process = start_worker("--uds", str(folder / "w.sock"), "--lm", "scripted/echo", "--worker-id", "test-w")
    yield process
    process.stop()


@pytest.fixture
async def stub(worker: WorkerProcess) -> AsyncIterator[worker_pb2_grpc.WorkerServiceStub]:
    async with grpc.aio.insecure_channel(worker.address) as channel:
        yield worker_pb2_grpc.WorkerServiceStub(channel)


def pytest_configure(config):
    # In-process tests import DSPy too: keep LiteLLM offline as the worker does.
    from dspy_connect.worker.env_defaults import apply_env_defaults

    apply_env_defaults()
