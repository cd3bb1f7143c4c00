"""Entry point: `python -m dspy_connect.worker --help`."""

from __future__ import annotations

from ..env_defaults import apply_env_defaults

apply_env_defaults()  # before anything imports numpy or litellm

import asyncio  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402

from .cli import parse_args  # noqa: E402


def main() -> None:
    args = parse_args()
    logging.basicConfig(
        level=os.environ.get("DSPY_CONNECT_LOG_LEVEL", "INFO"),
        format=f"%(asctime)s {args.worker_id} %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("LiteLLM").setLevel(logging.WARNING)  # one INFO line per completion otherwise
    import dspy  # noqa: PLC0415 (slow import: after argument errors are reported)

    # A long-lived worker must not grow LM history, nor DSPy's global trace (the last 10,000
    # (module, inputs, prediction) tuples). Each call and run gets a trace of its own
    # (optimizers open theirs with dspy.context(trace=[])), dropped when it ends.
    dspy.configure(disable_history=True, trace=None)
    from .server import StartupError, serve  # noqa: PLC0415

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
