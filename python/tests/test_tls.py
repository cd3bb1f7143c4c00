"""TCP workers speak TLS unless told --insecure; certificates reload on SIGHUP (issue 19).
The client-side cases (wrong CA, expired certificate, mutual TLS) are in
packages/client/test/tls.spec.ts; these check the worker's own side."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest

from dspy_connect.v1 import worker_pb2, worker_pb2_grpc

from .certs import Authority, make_authority
from .conftest import start_worker

TOKEN = secrets.token_urlsafe(32)
LOG_WAIT_S = 30


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> Authority:
    return make_authority(tmp_path_factory.mktemp("tls"), "ca")


def refused_start(*args: str) -> str:
    """Starts a worker that must refuse to start (exit code 2); returns what it said."""
    env = {**os.environ, "DSPY_CONNECT_TOKEN": TOKEN}
    result = subprocess.run(
        [sys.executable, "-m", "dspy_connect.worker", *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 2, result.stderr[-500:]
    return result.stderr


def test_tcp_needs_tls_or_an_explicit_insecure():
    said = refused_start("--tcp", "127.0.0.1:0")
    assert "--tls-cert" in said
    assert "--insecure" in said


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--tcp", "127.0.0.1:0", "--tls-cert", "c.pem"], "both --tls-cert and --tls-key"),
        (["--tcp", "127.0.0.1:0", "--insecure", "--tls-cert", "c.pem", "--tls-key", "k.pem"], "not both"),
        (["--insecure"], "apply to --tcp only"),
    ],
    ids=["cert without key", "insecure and tls", "insecure without tcp"],
)
def test_contradictory_transport_options_refuse_to_start(args, expected):
    assert expected in refused_start(*args)


def test_unreadable_or_mismatched_files_refuse_to_start(ca):
    one, other = ca.server("one"), ca.server("other")
    missing = ca.folder / "missing.pem"
    said = refused_start("--tcp", "127.0.0.1:0", "--tls-cert", str(missing), "--tls-key", str(one.key))
    assert f"cannot read {missing}" in said
    said = refused_start("--tcp", "127.0.0.1:0", "--tls-cert", str(one.cert), "--tls-key", str(other.key))
    assert "are not a PEM certificate and its private key" in said
    said = refused_start(
        "--tcp", "127.0.0.1:0", "--tls-cert", str(one.cert), "--tls-key", str(one.key), "--tls-client-ca", str(one.key)
    )
    assert "is not a PEM CA certificate bundle" in said
    assert one.key.read_bytes().startswith(b"-----BEGIN")  # read, never changed


async def describe(address: str, ca_cert: Path, token: str = TOKEN) -> int:
    creds = grpc.ssl_channel_credentials(root_certificates=ca_cert.read_bytes())  # noqa: ASYNC240 (a small file)
    async with grpc.aio.secure_channel(address, creds) as channel:
        stub = worker_pb2_grpc.WorkerServiceStub(channel)
        reply = await stub.Describe(worker_pb2.DescribeRequest(), metadata=[("authorization", f"Bearer {token}")], timeout=10)
        return reply.pid


@pytest.fixture
def tls_worker(ca) -> Iterator[tuple[object, Path, Path]]:
    """A worker serving TLS from copies of a certificate it may be told to reload."""
    issued = ca.server(f"served-{secrets.token_hex(4)}")
    log = (ca.folder / f"{issued.cert.stem}.log").open("w+")
    worker = start_worker(
        "--tcp", "127.0.0.1:0", "--tls-cert", str(issued.cert), "--tls-key", str(issued.key),
        env={"DSPY_CONNECT_TOKEN": TOKEN}, stderr=log,
    )  # fmt: skip
    yield worker, issued.cert, Path(log.name)
    worker.stop()
    log.close()


def wait_for_log(log: Path, text: str) -> None:
    deadline = time.monotonic() + LOG_WAIT_S
    while text not in log.read_text():
        assert time.monotonic() < deadline, f"{text!r} not logged within {LOG_WAIT_S} s"
        time.sleep(0.05)


async def test_the_token_still_applies_over_tls(tls_worker, ca):
    worker, _, _ = tls_worker
    assert await describe(worker.address, ca.cert) == worker.proc.pid
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await describe(worker.address, ca.cert, token=secrets.token_urlsafe(32))
    assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED


async def test_sighup_with_a_bad_file_keeps_the_certificate_in_use(tls_worker, ca):
    worker, cert, log = tls_worker
    good = cert.read_bytes()
    cert.write_bytes(b"not a certificate\n")
    worker.proc.send_signal(signal.SIGHUP)
    wait_for_log(log, "TLS files not reloaded, the current certificate stays in use")
    assert worker.proc.poll() is None
    assert await describe(worker.address, ca.cert) == worker.proc.pid
    cert.write_bytes(good)


async def test_sighup_serves_a_rotated_certificate_to_new_connections(tls_worker, ca, tmp_path):
    worker, cert, log = tls_worker
    new_ca = make_authority(tmp_path, "new-ca")
    rotated = new_ca.server("rotated")
    cert.write_bytes(rotated.cert.read_bytes())
    cert.with_suffix(".key").write_bytes(rotated.key.read_bytes())
    worker.proc.send_signal(signal.SIGHUP)
    wait_for_log(log, "TLS files reloaded")
    assert await describe(worker.address, new_ca.cert) == worker.proc.pid
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await describe(worker.address, ca.cert)
    assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
