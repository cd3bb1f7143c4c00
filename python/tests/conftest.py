"""Fixtures that run a real worker process and talk to it over its real Unix socket."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import pytest
from grpc_health.v1 import health_pb2_grpc

from dspy_connect import garbage
from dspy_connect.env_defaults import apply_env_defaults
from dspy_connect.v1 import worker_pb2_grpc

garbage.collect_in_background()  # this process sets ContextVars on many threads too

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


def start_worker(
    *extra: str, env: dict[str, str] | None = None, stderr: Any = None, command: list[str] | None = None
) -> WorkerProcess:
    """Spawns `python -m dspy_connect.worker` (or `command`) and waits for its ready line (its
    log goes to `stderr`, a file, if given)."""
    full_env = {**os.environ, "DSPY_CONNECT_TEST_PROVIDERS": "1", **(env or {})}
    proc = subprocess.Popen(
        [*(command or [sys.executable, "-m", "dspy_connect.worker"]), "--exit-with-stdin", *extra],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=full_env,
        stderr=stderr,
        text=True,
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith(READY_PREFIX):
            ready = json.loads(line[len(READY_PREFIX) :])
            # Keep reading stdout, as the TS pool does: a full pipe would block the worker.
            threading.Thread(target=proc.stdout.read, daemon=True).start()
            return WorkerProcess(proc, ready["address"], ready)
    raise RuntimeError(f"worker exited before it was ready (code {proc.wait()})")


@contextmanager
def plugin_worker(worker_id: str, *plugins: str) -> Iterator[WorkerProcess]:
    """A worker on the scripted LM with these plugin modules imported, stopped afterwards."""
    imports = [arg for plugin in plugins for arg in ("--import", plugin)]
    process = start_worker("--lm", "scripted/echo", *imports, "--worker-id", worker_id)
    try:
        yield process
    finally:
        process.stop()


def plugin_fixtures(worker_id: str, *plugins: str) -> tuple[Any, Any]:
    """A test module's own worker (the scripted LM, these plugin modules) and a client stub
    on it for each test, as the fixtures `plugins_worker` and `stub`. In the module:
    `plugins_worker, stub = plugin_fixtures("run-w", "dspy_connect.testing.plugins")`."""

    @pytest.fixture(scope="module", name="plugins_worker")
    def plugins_worker() -> Iterator[WorkerProcess]:
        with plugin_worker(worker_id, *plugins) as process:
            yield process

    @pytest.fixture(name="stub")
    async def stub(plugins_worker: WorkerProcess) -> AsyncIterator[worker_pb2_grpc.WorkerServiceStub]:
        async with connect(plugins_worker) as client:
            yield client

    return plugins_worker, stub


@asynccontextmanager
async def connect(worker: WorkerProcess) -> AsyncIterator[worker_pb2_grpc.WorkerServiceStub]:
    """A client stub on the worker's socket."""
    async with grpc.aio.insecure_channel(worker.address) as channel:
        yield worker_pb2_grpc.WorkerServiceStub(channel)


@pytest.fixture(scope="session")
def worker() -> Iterator[WorkerProcess]:
    folder = Path(tempfile.mkdtemp(prefix="dc-test-"))
    process = start_worker("--uds", str(folder / "w.sock"), "--lm", "scripted/echo", "--worker-id", "test-w")
    yield process
    process.stop()


@pytest.fixture
async def stub(worker: WorkerProcess) -> AsyncIterator[worker_pb2_grpc.WorkerServiceStub]:
    async with connect(worker) as client:
        yield client


def pytest_configure(config):
    # In-process tests import DSPy too: keep LiteLLM offline as the worker does.
    apply_env_defaults()


def health_stub(channel: grpc.aio.Channel) -> Any:
    """grpc.health.v1's client stub (its type stubs leave out Check and Watch)."""
    return health_pb2_grpc.HealthStub(channel)
