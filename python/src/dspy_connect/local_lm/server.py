"""The local model's OpenAI-compatible server: llama-cpp-python behind uvicorn, on loopback,
with one ready line on stdout once it listens."""

from __future__ import annotations

import json
import os
import socket
import sys
import threading
import time
from argparse import Namespace

import uvicorn
from llama_cpp.server.app import create_app
from llama_cpp.server.settings import ModelSettings, ServerSettings

from .. import garbage
from .chat_format import CHAT_FORMAT  # importing it registers the chat format
from .json_schema import JsonSchemaResponseFormat
from .model import MODEL_ALIAS

READY_PREFIX = "DSPY_CONNECT_LM_READY "


def serve(args: Namespace, model_path: str, started: float) -> None:
    """Serves until SIGTERM (or stdin closes, with --exit-with-stdin), then exits the process."""
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
