"""Reads deploy/: the Dockerfile's instructions and the Kubernetes manifests, for the tests
that check them against the worker (test_deploy_image.py, test_deploy_kubernetes.py)."""

from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path
from typing import Any

import yaml

from dspy_connect.worker.cli import parse_args

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "deploy" / "docker" / "Dockerfile"
INSTALL_SCRIPT = ROOT / "deploy" / "docker" / "install-worker.sh"
KUBERNETES = ROOT / "deploy" / "kubernetes"


def worker_help() -> str:
    """What `dspy-connect-worker --help` prints."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
        parse_args(["--help"])
    return out.getvalue()


# TLS (--tls-cert, --tls-key, --insecure) comes from another branch of issue 19. Until it is
# merged the worker refuses those flags, and the tests that run its parser on the image's and
# the manifests' args are expected to fail (xfail, strict); once merged they must pass.
TLS_MERGED = "--insecure" in worker_help()


def dockerfile_instructions(path: Path = DOCKERFILE) -> list[tuple[str, str]]:
    """(INSTRUCTION, its arguments) in order, continuation lines joined, comments dropped."""
    lines = [line for line in path.read_text().splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines)).splitlines()
    return [(word.upper(), rest.strip()) for word, _, rest in (line.strip().partition(" ") for line in joined if line.strip())]


def exec_form(instruction: str, path: Path = DOCKERFILE) -> list[str]:
    """The JSON (exec) form of the last `instruction` (ENTRYPOINT, CMD); for HEALTHCHECK, its CMD."""
    rest = [args for word, args in dockerfile_instructions(path) if word == instruction][-1]
    if instruction == "HEALTHCHECK":
        rest = rest[rest.index("CMD ") + len("CMD ") :]
    return json.loads(rest)


def manifests() -> list[dict[str, Any]]:
    """Every object in deploy/kubernetes/*.yaml except the kustomization."""
    return [
        doc
        for path in sorted(KUBERNETES.glob("*.yaml"))
        if path.name != "kustomization.yaml"
        for doc in yaml.safe_load_all(path.read_text())
        if doc
    ]


def manifest(kind: str) -> dict[str, Any]:
    (found,) = [doc for doc in manifests() if doc["kind"] == kind]
    return found
