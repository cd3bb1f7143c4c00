"""`python -m dspy_connect.local_lm`: serve the local model on loopback, print one ready line.

    DSPY_CONNECT_LM_READY {"api_base": "http://127.0.0.1:PORT/v1", "model": "...", "pid": ...}

Exits on SIGTERM, or when stdin closes if --exit-with-stdin is given (the parent died).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
import threading
import time

READY_PREFIX = "DSPY_CONNECT_LM_READY "


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

    from .model import MODEL_ALIAS, ensure_model  # noqa: PLC0415

    started = time.perf_counter()
    model_path = args.model or str(ensure_model())
    if args.prepare_only:
        print(model_path)
        return

    import uvicorn  # noqa: PLC0415
    from llama_cpp.server.app import create_app  # noqa: PLC0415
    from llama_cpp.server.settings import ModelSettings, ServerSettings  # noqa: PLC0415

    from .. import garbage  # noqa: PLC0415
    from .chat_format import CHAT_FORMAT  # noqa: PLC0415 (registers the format)
    from .json_schema import JsonSchemaResponseFormat  # noqa: PLC0415

    garbage.collect_in_background()  # uvicorn and anyio set ContextVars too

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    port = sock.getsockname()[1]
    app = create_app(
        # llama-cpp-python's default ends a streaming completion as soon as another request
        # waits for the model: with several workers (or a health probe) sharing the server,
        # answers were cut short. Requests queue instead.
        server_settings=ServerSettings(host=args.host, port=port, interrupt_requests=False),
        model_settings=[
            ModelSettings(
                model=model_path,
                model_alias=MODEL_ALIAS,
                chat_format=CHAT_FORMAT,
                n_ctx=args.n_ctx,
                n_threads=args.n_threads,
                n_threads_batch=args.n_threads,
                # The server's default keeps logits for every position (n_ctx x 262k vocab):
                # gigabytes nobody reads.
                logits_all=False,
                verbose=False,
            )
        ],
    )

    @app.get("/health", include_in_schema=False)
    async def health() -> dict[str, str]:
        # Answers while a completion runs: /v1/models waits for the model's lock.
        return {"status": "ok"}

    server = uvicorn.Server(uvicorn.Config(JsonSchemaResponseFormat(app), log_level="warning", lifespan="on"))

    def announce() -> None:
        while not server.started:
            time.sleep(0.02)
        ready = {
            "api_base": f"http://{args.host}:{port}/v1",
            "model": MODEL_ALIAS,
            "pid": os.getpid(),
            "startup_s": round(time.perf_counter() - started, 2),
        }
        print(READY_PREFIX + json.dumps(ready), flush=True)

    def exit_on_eof() -> None:
        while sys.stdin.buffer.read(4096):
            pass
        server.should_exit = True

    garbage.freeze_startup_objects()
    threading.Thread(target=announce, daemon=True).start()
    if args.exit_with_stdin:
        threading.Thread(target=exit_on_eof, daemon=True).start()
    server.run(sockets=[sock])
    sys.stdout.flush()
    os._exit(0)  # llama.cpp threads must not hold the process open


if __name__ == "__main__":
    main()
