"""`python -m dspy_connect.local_lm`: serve the local model on loopback, print one ready line.

    DSPY_CONNECT_LM_READY {"api_base": "http://127.0.0.1:PORT/v1", "model": "...", "pid": ...}

Exits on SIGTERM, or when stdin closes if --exit-with-stdin is given (the parent died).
"""

from __future__ import annotations

import argparse
import os
import time

from .model import ensure_model


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m dspy_connect.local_lm")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="0 picks a free port")
    p.add_argument("--model", help="a .gguf file; default: the bundled Gemma 3 270M")
    p.add_argument("--n-ctx", type=int, default=4096)
    p.add_argument("--n-threads", type=int, default=os.cpu_count() or 2)
    p.add_argument("--exit-with-stdin", action="store_true")
    p.add_argument("--run-id", default="", help="the pool run that owns this server (used to sweep orphans)")
    p.add_argument("--prepare-only", action="store_true", help="assemble the model and exit")
    args = p.parse_args()

    started = time.perf_counter()
    model_path = args.model or str(ensure_model())
    if args.prepare_only:
        print(model_path)
        return
    # llama.cpp and uvicorn load only to serve: --prepare-only and argument errors need neither.
    from .server import serve  # noqa: PLC0415

    serve(args, model_path, started)


if __name__ == "__main__":
    main()
