"""Entry point: `python -m dspy_connect.worker --help`."""

from __future__ import annotations

import asyncio
import logging
import os
import sys

from ..env_defaults import apply_env_defaults
from .cli import parse_args


def main(argv: list[str] | None = None) -> None:
    """Runs a worker until it stops, then exits the process (also in a zygote's child)."""
    apply_env_defaults()  # before anything imports numpy or litellm
    args = parse_args(argv)
    logging.basicConfig(
        level=os.environ.get("DSPY_CONNECT_LOG_LEVEL", "INFO"),
        format=f"%(asctime)s {args.worker_id} %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
        force=True,  # a zygote's child replaces the zygote's format with its own worker id
    )
    logging.getLogger("LiteLLM").setLevel(logging.WARNING)  # one INFO line per completion otherwise
    # DSPy comes with the server and takes seconds to import: after argument errors are reported.
    from .server import serve  # noqa: PLC0415
    from .startup_error import StartupError  # noqa: PLC0415

    try:
        asyncio.run(serve(args))
    except StartupError as exc:
        print(f"dspy_connect.worker: {exc}", file=sys.stderr, flush=True)
        os._exit(2)
    # DSPy threads may still wait on an LM; they must not hold the process open.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
