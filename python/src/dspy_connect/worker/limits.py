"""Caps native thread pools before numpy & co. load: many workers on one machine would
otherwise each start one BLAS/OpenMP thread per core."""

from __future__ import annotations

import os

THREAD_ENV_VARS = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "RAYON_NUM_THREADS",
    "TOKENIZERS_PARALLELISM",
)


def cap_native_threads(count: int = 1) -> None:
    for name in THREAD_ENV_VARS:
        os.environ.setdefault(name, "false" if name == "TOKENIZERS_PARALLELISM" else str(count))
