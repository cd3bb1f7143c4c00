"""The worker image (deploy/docker/Dockerfile). No container engine runs here, so: hadolint
lints the Dockerfile (ShellCheck on its RUN lines included), the files it copies are the ones
.dockerignore lets in, and its build stage's install script runs on this machine, on the same
files, into a fresh venv whose worker then serves a real call, answers the HEALTHCHECK's
command and writes nothing outside its socket folder (the image's root filesystem may be
read-only)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from dspy_connect.v1 import common_pb2, worker_pb2
from dspy_connect.worker.cli import parse_args

from .conftest import connect, start_worker
from .deploy_files import DOCKERFILE, INSTALL_SCRIPT, ROOT, TLS_MERGED, dockerfile_instructions, exec_form

BIN = Path(sys.executable).parent


def test_hadolint_finds_nothing():
    result = subprocess.run(
        [BIN / "hadolint", "--no-color", "--failure-threshold", "style", DOCKERFILE],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_is_a_real_linter():
    # The same binary on a Dockerfile with known faults: it must name them.
    bad = Path(tempfile.mkdtemp()) / "Dockerfile"
    bad.write_text("FROM python\nRUN cd /src && pip install $PKG\n")
    result = subprocess.run([BIN / "hadolint", "--no-color", bad], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 1
    for rule in ("DL3006", "DL3003", "SC2086"):  # untagged image, cd in RUN, unquoted variable (ShellCheck)
        assert rule in result.stdout


def test_what_the_dockerfile_copies_is_in_the_build_context():
    allowed = [line[1:].rstrip("/") for line in (ROOT / ".dockerignore").read_text().splitlines() if line.startswith("!")]
    copied = [
        source
        for word, args in dockerfile_instructions()
        if word == "COPY" and not args.startswith("--from")
        for source in args.split()[:-1]
    ]
    assert copied, "the Dockerfile copies nothing from the context"
    for source in copied:
        assert (ROOT / source).exists(), source
        let_in = any(source == entry or source.startswith(entry + "/") for entry in allowed)
        assert let_in, f"{source} is left out by .dockerignore"


def test_healthcheck_entrypoint_and_cmd_agree():
    entrypoint, healthcheck, cmd = exec_form("ENTRYPOINT"), exec_form("HEALTHCHECK"), exec_form("CMD")
    pyproject = (ROOT / "python" / "pyproject.toml").read_text().splitlines()
    scripts = [line.split(" = ")[0] for line in pyproject if '= "dspy_connect.' in line]
    assert entrypoint == ["dspy-connect-worker"]
    assert {entrypoint[0], healthcheck[0]} <= set(scripts)  # console scripts of the wheel
    assert healthcheck[healthcheck.index("--port") + 1] == cmd[cmd.index("--health-port") + 1]
    assert cmd[cmd.index("--tcp") + 1] == "0.0.0.0:7000"
    user = [args for word, args in dockerfile_instructions() if word == "USER"][-1]
    assert user.split(":")[0].isdigit()  # a uid, which runAsNonRoot can check


@pytest.mark.xfail(not TLS_MERGED, reason="the TLS flags are on the tls branch of issue 19", strict=True)
def test_the_worker_accepts_the_images_default_args():
    args = parse_args(exec_form("CMD"))
    assert (args.tcp, args.health_port, args.insecure) == ("0.0.0.0:7000", 7001, False)
    assert args.tls_cert
    assert args.tls_key


async def test_the_build_stage_installs_a_worker_that_serves_and_writes_nothing(tmp_path):
    venv = tmp_path / "opt-worker"
    base_python = getattr(sys, "_base_executable", sys.executable)
    env = {**os.environ, "UV_PYTHON": base_python, "UV_PYTHON_DOWNLOADS": "never"}
    env.pop("VIRTUAL_ENV", None)
    install = ["/bin/sh", INSTALL_SCRIPT, ROOT / "python", venv]
    await asyncio.to_thread(subprocess.run, install, env=env, check=True, timeout=540)
    entrypoint, healthcheck = exec_form("ENTRYPOINT"), exec_form("HEALTHCHECK")
    installed = set(venv.rglob("*"))

    # The image's environment: its HOME, no bytecode written, and TMPDIR watched as well.
    home, tmp = tmp_path / "home", tmp_path / "tmp"
    home.mkdir()
    tmp.mkdir()
    image_env = {"HOME": str(home), "TMPDIR": str(tmp), "PYTHONDONTWRITEBYTECODE": "1"}
    socket_dir = tmp_path / "socket"
    worker = start_worker(
        "--uds", str(socket_dir / "w.sock"), "--health-port", "0", "--lm", "scripted/echo",
        command=[str(venv / "bin" / entrypoint[0])],
        env=image_env,
    )  # fmt: skip
    try:
        port = worker.ready["health_address"].rpartition(":")[2]
        probe = [str(venv / "bin" / healthcheck[0]), *healthcheck[1:]]
        probe[probe.index("--port") + 1] = port  # the test's port in place of 7001
        served = await asyncio.to_thread(
            subprocess.run, probe, capture_output=True, text=True, timeout=30, check=False, env={**os.environ, **image_env}
        )
        assert (served.returncode, served.stderr.strip()) == (0, "SERVING")
        async with connect(worker) as stub:
            module = common_pb2.ModuleSpec(type="predict", signature="a -> b")
            reply = await stub.Call(worker_pb2.CallRequest(module=module, inputs_json=b'{"a": "x"}'))
        assert json.loads(reply.outputs_json) == {"b": "b: x"}
        worker.proc.send_signal(signal.SIGTERM)
        assert worker.proc.wait(timeout=30) == 0
    finally:
        worker.stop()
    assert set(venv.rglob("*")) == installed  # nothing written in the install
    assert not any(home.iterdir()), list(home.rglob("*"))
    assert not any(tmp.iterdir()), list(tmp.rglob("*"))
