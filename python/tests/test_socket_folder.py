"""The worker's socket folder is checked without following symlinks."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from dspy_connect.worker.server import StartupError, private_socket_path


def test_a_symlinked_socket_folder_is_refused_and_its_target_untouched():
    root = Path(tempfile.mkdtemp())
    target = root / "elsewhere"
    target.mkdir(mode=0o700)  # private and ours: only the link in front of it is wrong
    link = root / "run"
    link.symlink_to(target)
    with pytest.raises(StartupError, match="symbolic link"):
        private_socket_path(str(link / "w.sock"))
    assert list(target.iterdir()) == []


def test_a_symlink_at_the_socket_path_is_refused():
    folder = Path(tempfile.mkdtemp())
    (folder / "w.sock").symlink_to(folder / "missing")  # dangling: exists() says no
    with pytest.raises(StartupError, match="not a socket"):
        private_socket_path(str(folder / "w.sock"))
    assert (folder / "w.sock").is_symlink()
