"""The installed distribution's metadata: what the wheel promises on PyPI, checked offline."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from importlib import metadata, resources
from pathlib import Path

from packaging.requirements import Requirement

import dspy_connect
from dspy_connect.worker import __main__ as worker_main
from dspy_connect.worker.cli import CONSOLE_SCRIPT

DIST = "dspy-connect-worker"
PYPROJECT = Path(__file__).parent.parent / "pyproject.toml"


def test_version_has_one_source():
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    assert "version" not in project
    assert project["dynamic"] == ["version"]
    assert metadata.version(DIST) == dspy_connect.__version__


def test_console_script_runs_the_module_entry_point():
    (entry,) = metadata.entry_points(group="console_scripts", name=CONSOLE_SCRIPT)
    assert entry.dist is not None
    assert entry.dist.name == DIST
    assert entry.load() is worker_main.main


def test_console_script_and_module_both_start_the_cli():
    script = Path(sys.executable).parent / CONSOLE_SCRIPT
    by_script = subprocess.run([script, "--help"], capture_output=True, text=True, check=True, timeout=60)
    assert by_script.stdout.startswith(f"usage: {CONSOLE_SCRIPT} ")
    by_module = subprocess.run(
        [sys.executable, "-m", "dspy_connect.worker", "--help"], capture_output=True, text=True, check=True, timeout=60
    )
    assert by_module.stdout.startswith("usage: python -m dspy_connect.worker ")  # what the TypeScript client runs


def test_package_is_marked_typed():
    assert (resources.files("dspy_connect") / "py.typed").is_file()


def test_dependencies_are_ranges_not_pins():
    requirements = [Requirement(text) for text in metadata.requires(DIST) or []]
    names = {r.name for r in requirements}
    assert {"dspy", "grpcio", "grpcio-health-checking", "protobuf", "opentelemetry-api"} <= names
    for requirement in requirements:
        operators = {spec.operator for spec in requirement.specifier}
        assert "==" not in operators, requirement
        assert "===" not in operators, requirement
        assert any(op.startswith("<") for op in operators), f"{requirement} has no upper bound"
