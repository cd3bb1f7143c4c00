"""Plugin modules (`--import`): found on `--python-path` wherever the worker runs, and a plugin
that is missing or fails is a one-line startup error (exit code 2), not a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def start(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    # A worker that starts serves until stdin closes, which input="" does at once.
    return subprocess.run(
        [sys.executable, "-m", "dspy_connect.worker", "--exit-with-stdin", "--lm", "scripted/echo", *args],
        env={**os.environ, "DSPY_CONNECT_TEST_PROVIDERS": "1"},
        cwd=cwd,
        input="",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    plugins, elsewhere = tmp_path / "plugins", tmp_path / "elsewhere"
    plugins.mkdir()
    elsewhere.mkdir()
    (plugins / "readme_plugin.py").write_text(
        "from dspy_connect.tools import register_tool\n\n"
        "@register_tool\ndef shout(text: str) -> str:\n    'Upper case.'\n    return text.upper()\n"
    )
    (plugins / "broken_plugin.py").write_text("raise RuntimeError('the plugin is broken')\n")
    return plugins, elsewhere


def test_a_plugin_loads_from_its_python_path_wherever_the_worker_runs(folders: tuple[Path, Path]):
    plugins, elsewhere = folders
    result = start("--python-path", str(plugins), "--import", "readme_plugin", cwd=elsewhere)
    assert result.returncode == 0, result.stderr[-800:]
    assert "DSPY_CONNECT_READY" in result.stdout


def test_a_missing_plugin_names_the_module_and_the_search_path(folders: tuple[Path, Path]):
    plugins, elsewhere = folders
    result = start("--python-path", str(plugins), "--import", "no_such_plugin", cwd=elsewhere)
    assert result.returncode == 2, result.stderr[-800:]
    assert "plugin module 'no_such_plugin' (imports) was not found" in result.stderr
    assert str(plugins) in result.stderr
    assert "Traceback" not in result.stderr
    assert "DSPY_CONNECT_READY" not in result.stdout


def test_a_plugin_that_fails_is_a_startup_error(folders: tuple[Path, Path]):
    plugins, elsewhere = folders
    result = start("--python-path", str(plugins), "--import", "broken_plugin", cwd=elsewhere)
    assert result.returncode == 2, result.stderr[-800:]
    assert "plugin module 'broken_plugin' (imports) failed to import: RuntimeError: the plugin is broken" in result.stderr
