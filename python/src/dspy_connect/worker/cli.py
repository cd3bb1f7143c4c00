"""Command-line options of the worker."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .lm_cache import DEFAULT_ENTRIES, DIR_ENV, DISK_MB_ENV, ENTRIES_ENV, LmCachePolicy
from .transport_args import add_transport_arguments, check_transport_arguments

CONSOLE_SCRIPT = "dspy-connect-worker"  # [project.scripts] in pyproject.toml


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog=_prog(), description="dspy-connect DSPy worker")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--uds", help="Unix socket path; its folder must be private (0700). Default: a new private temp dir")
    where.add_argument(
        "--tcp", metavar="HOST:PORT", help="listen on TCP (port 0 picks one); needs a token, and TLS or --insecure"
    )
    p.add_argument(
        "--token-env",
        default="DSPY_CONNECT_TOKEN",
        help="env var holding the bearer token for --tcp: 43+ random characters, "
        'e.g. from python -c "import secrets; print(secrets.token_urlsafe(32))"',
    )
    add_transport_arguments(p)
    p.add_argument("--worker-id", default=f"w-{os.getpid()}")
    p.add_argument("--run-id", default="", help="the pool run that owns this worker (used to sweep orphans)")
    p.add_argument("--lm", default=os.environ.get("DSPY_CONNECT_LM", ""), help="default LM: 'local' or a LiteLLM model")
    p.add_argument(
        "--max-concurrency",
        type=int,
        default=128,
        help="DSPy calls run at once on threads (the client's maxConcurrencyPerWorker)",
    )
    p.add_argument("--exit-with-stdin", action="store_true", help="exit when stdin closes (the parent died)")
    p.add_argument(
        "--import",
        dest="imports",
        action="append",
        default=[],
        help="import a plugin module that registers modules/types (repeatable)",
    )
    p.add_argument(
        "--python-path",
        dest="python_path",
        action="append",
        default=[],
        help="a folder searched first for --import modules (repeatable; the client passes its pythonPath)",
    )
    p.add_argument("--grace", type=float, default=5.0, help="seconds in-flight calls get on shutdown")
    p.add_argument(
        "--health-port",
        type=_port,
        help="also serve grpc.health.v1 alone, plaintext and without the token, on this port of the --tcp host "
        "(127.0.0.1 with --uds; 0 picks one): for probes that cannot do TLS or send the token",
    )
    p.add_argument("--max-message-mb", type=int, default=64)
    p.add_argument(
        "--lm-cache-entries",
        type=_size,
        default=os.environ.get(ENTRIES_ENV, str(DEFAULT_ENTRIES)),
        help=f"LM responses cached in memory, least recently used dropped first; 0: none (${ENTRIES_ENV})",
    )
    p.add_argument(
        "--lm-cache-disk-mb",
        type=_size,
        default=os.environ.get(DISK_MB_ENV, "0"),
        help=f"also cache LM responses on disk, up to this many MB; 0: not on disk (${DISK_MB_ENV})",
    )
    p.add_argument(
        "--lm-cache-dir",
        type=Path,
        default=os.environ.get(DIR_ENV) or None,
        help=f"the disk cache's folder (${DIR_ENV}); default ~/.cache/dspy-connect/lm-cache",
    )
    args = p.parse_args(argv)
    check_transport_arguments(p, args)
    args.lm_cache = LmCachePolicy(args.lm_cache_entries, args.lm_cache_disk_mb, args.lm_cache_dir)
    args.imports += [m for m in os.environ.get("DSPY_CONNECT_IMPORTS", "").split(",") if m]
    return args


def _prog() -> str:
    # The TypeScript client runs `python -m dspy_connect.worker`; the wheel adds a console script.
    name = Path(sys.argv[0]).name
    return name if name == CONSOLE_SCRIPT else "python -m dspy_connect.worker"


def _port(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be a port, 0..65535, got {value}")
    return value


def _size(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value
