"""Environment defaults applied before DSPy, LiteLLM or numpy load."""

from __future__ import annotations

import os

# Many workers on one machine would otherwise each start one BLAS/OpenMP thread per core.
THREAD_CAPS = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
    "VECLIB_MAXIMUM_THREADS": "1",
    "RAYON_NUM_THREADS": "1",
    "TOKENIZERS_PARALLELISM": "false",
}
# LiteLLM otherwise fetches its model cost map from the internet, retrying for seconds, and
# logs every completion at INFO; grpc core otherwise logs every GOAWAY at INFO.
OFFLINE = {"LITELLM_LOCAL_MODEL_COST_MAP": "True", "LITELLM_LOG": "ERROR", "GRPC_VERBOSITY": "ERROR"}


def apply_env_defaults() -> None:
    for name, value in {**THREAD_CAPS, **OFFLINE}.items():
        os.environ.setdefault(name, value)
