"""A zygote forks workers that serve at once: no warm-up of their own (issue 17, item 3)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest

from dspy_connect.v1 import common_pb2, worker_pb2, worker_pb2_grpc

from .conftest import READY_PREFIX

ZYGOTE_READY = "DSPY_CONNECT_ZYGOTE_READY "
ZYGOTE_EXIT = "DSPY_CONNECT_ZYGOTE_EXIT "
ZYGOTE_FORKED = "DSPY_CONNECT_ZYGOTE_FORKED "


@dataclass
class Zygote:
    proc: subprocess.Popen
    control: str
    folder: Path

    def request(self, payload: bytes) -> socket.socket:
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        conn.connect(self.control)
        conn.sendall(payload)
        return conn

    def fork(self, slot: str, *more_argv: str, env: dict[str, str] | None = None) -> tuple[socket.socket, dict]:
        argv = ["--uds", str(self.folder / f"{slot}.sock"), "--worker-id", slot, "--exit-with-stdin", *more_argv]
        conn = self.request(json.dumps({"argv": argv, "env": env or {}}).encode() + b"\n")
        forked = None
        for line in conn.makefile("r"):
            if line.startswith(ZYGOTE_FORKED):
                forked = json.loads(line[len(ZYGOTE_FORKED) :])["pid"]
            if line.startswith(READY_PREFIX):
                return conn, {**json.loads(line[len(READY_PREFIX) :]), "forked_pid": forked}
        raise AssertionError("the child closed its connection before its ready line")

    def next_line(self, prefix: str) -> dict:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:  # ends when the zygote exits
            if line.startswith(prefix):
                return json.loads(line[len(prefix) :])
        raise AssertionError(f"the zygote exited before a {prefix.strip()} line")


@pytest.fixture(scope="module")
def zygote() -> Iterator[Zygote]:
    folder = Path(tempfile.mkdtemp(prefix="dc-zygote-"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "dspy_connect.worker.zygote", "--control", str(folder / "zygote.sock"), "--exit-with-stdin"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env={**os.environ, "DSPY_CONNECT_TEST_PROVIDERS": "1"},
        text=True,
    )
    z = Zygote(proc, "", folder)
    z.control = z.next_line(ZYGOTE_READY)["control"]
    yield z
    assert proc.stdin is not None
    proc.stdin.close()  # the zygote exits on stdin EOF, as a worker does
    assert proc.wait(timeout=15) == 0


async def test_a_forked_worker_is_warmed_up_before_its_first_call(zygote: Zygote) -> None:
    conn, ready = zygote.fork("z-warm")
    assert ready["pid"] != zygote.proc.pid
    assert ready["forked_pid"] == ready["pid"]  # told before the ready line
    assert os.getsid(ready["pid"]) == ready["pid"]  # a session and process group of its own
    async with grpc.aio.insecure_channel(ready["address"]) as channel:
        stub = worker_pb2_grpc.WorkerServiceStub(channel)
        info = await stub.Describe(worker_pb2.DescribeRequest())  # not waiting for a warm-up
        assert info.warmed_up
        assert info.warm_up_pid == zygote.proc.pid  # the warm-up ran in the zygote, not here
        assert info.worker_id == "z-warm"
        request = worker_pb2.CallRequest(
            module=common_pb2.ModuleSpec(type="predict", signature="question -> answer"),
            inputs_json=b'{"question": "why"}',
            lm=common_pb2.LmConfig(model="scripted/echo", cache=False),
        )
        reply = await stub.Call(request)
        assert json.loads(reply.outputs_json) == {"answer": "answer: why"}
    conn.close()  # the child's stdin EOF
    assert zygote.next_line(ZYGOTE_EXIT) == {"pid": ready["pid"], "code": 0}


@pytest.mark.parametrize(
    "payload",
    [b"not json\n", b'{"argv": "--uds x"}\n', b'{"argv": [], "env": {"A": 1}}\n', b'{"argv": [], "unset": "A"}\n', b"[1, 2]\n"],
)
def test_a_bad_request_is_refused_and_the_zygote_forks_the_next(zygote: Zygote, payload: bytes) -> None:
    conn = zygote.request(payload)
    reply = conn.makefile("r").readline()
    conn.close()
    assert reply.startswith("DSPY_CONNECT_ZYGOTE_ERROR ")
    child, ready = zygote.fork("z-after-bad")
    child.close()
    assert zygote.next_line(ZYGOTE_EXIT) == {"pid": ready["pid"], "code": 0}


def test_a_killed_child_is_reported_with_its_signal(zygote: Zygote) -> None:
    child, ready = zygote.fork("z-killed")
    os.kill(ready["pid"], signal.SIGKILL)
    assert zygote.next_line(ZYGOTE_EXIT) == {"pid": ready["pid"], "code": -signal.SIGKILL}
    child.close()


async def test_a_child_gets_the_environment_and_plugins_of_its_request(zygote: Zygote) -> None:
    # The plugin reads the variable when the child imports it: the request's env is set by then.
    env = {"DSPY_CONNECT_TEST_WORKER_VERSION": "9.9.9"}
    conn, ready = zygote.fork("z-env", "--import", "dspy_connect.testing.version_skew", env=env)
    async with grpc.aio.insecure_channel(ready["address"]) as channel:
        info = await worker_pb2_grpc.WorkerServiceStub(channel).Describe(worker_pb2.DescribeRequest())
        assert info.worker_version == "9.9.9"
    conn.close()
    assert zygote.next_line(ZYGOTE_EXIT) == {"pid": ready["pid"], "code": 0}
