"""A fork server: warms DSPy and LiteLLM up once, then forks a ready worker per request.

Usage: python -m dspy_connect.worker.zygote --control PATH [--exit-with-stdin] [worker options]

The worker options (--lm, --import, --lm-cache-*) are the pool's; the warm-up uses them.
The zygote prints `DSPY_CONNECT_ZYGOTE_READY {"pid", "control"}` once it listens on the Unix
socket PATH (in a private 0700 folder). A client connects and sends one JSON line
{"argv": [worker options], "env": {name: value}, "unset": [name]} (env and unset: how the
client's environment differs from the zygote's now); the zygote forks, and the child runs
the worker as `python -m dspy_connect.worker` would, with that connection as its stdin and
stdout: `DSPY_CONNECT_ZYGOTE_FORKED {"pid"}` (from the zygote) and the child's ready line
arrive on it, and the client closing it is the stdin EOF that stops a worker started with
--exit-with-stdin. Each child leads a session of its own. The
zygote reaps its children and prints `DSPY_CONNECT_ZYGOTE_EXIT {"pid", "code"}` for each.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import selectors
import signal
import socket
import sys
from dataclasses import dataclass
from typing import Any, cast

from ..env_defaults import apply_env_defaults
from .cli import parse_args

__all__ = ["main"]

READY_PREFIX = "DSPY_CONNECT_ZYGOTE_READY "
EXIT_PREFIX = "DSPY_CONNECT_ZYGOTE_EXIT "
FORKED_PREFIX = "DSPY_CONNECT_ZYGOTE_FORKED "
MAX_REQUEST_BYTES = 64 * 1024
REAP_SECONDS = 0.2
log = logging.getLogger("dspy_connect.zygote")


@dataclass(frozen=True)
class WorkerRequest:
    """One fork request: the worker's command line, and its environment's changes."""

    argv: list[str]
    env: dict[str, str]
    unset: list[str]


class BadRequest(ValueError):
    """A worker request the zygote refuses (it answers DSPY_CONNECT_ZYGOTE_ERROR and goes on)."""


def main() -> None:
    apply_env_defaults()  # before anything imports numpy or litellm
    own = argparse.ArgumentParser(prog="python -m dspy_connect.worker.zygote", add_help=False)
    own.add_argument("--control", required=True)
    own.add_argument("--exit-with-stdin", action="store_true")
    zygote_args, worker_argv = own.parse_known_args()
    pool_args = parse_args(worker_argv)
    logging.basicConfig(
        level=os.environ.get("DSPY_CONNECT_LOG_LEVEL", "INFO"),
        format="%(asctime)s zygote %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("LiteLLM").setLevel(logging.WARNING)
    # The server's modules (grpc's too) are imported here, once; no grpc object is created
    # before a fork.
    from .. import warmup  # noqa: PLC0415
    from . import server  # noqa: PLC0415
    from .fork_safety import quiesce_for_fork  # noqa: PLC0415

    warmup.run_here(pool_args.lm_cache.apply, server.test_providers_hook())
    quiesce_for_fork()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    path = server.private_socket_path(zygote_args.control)
    listener.bind(str(path))
    listener.listen(16)
    _say(READY_PREFIX, {"pid": os.getpid(), "control": str(path)})
    try:
        _serve(listener, zygote_args.exit_with_stdin)
    finally:
        listener.close()
        path.unlink(missing_ok=True)
    os._exit(0)


def _serve(listener: socket.socket, exit_with_stdin: bool) -> None:
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ, "accept")
    if exit_with_stdin:
        selector.register(sys.stdin.fileno(), selectors.EVENT_READ, "stdin")
    # A child's death wakes the loop at once: the client learns how a killed worker died
    # before it reports the failed call (it waits only a moment for that).
    wake, woken = socket.socketpair()
    for end in (wake, woken):
        end.setblocking(False)
    signal.set_wakeup_fd(woken.fileno())
    signal.signal(signal.SIGCHLD, _wake_only)
    selector.register(wake, selectors.EVENT_READ, "child")
    while True:
        for key, _ in selector.select(REAP_SECONDS):
            if key.data == "stdin" and not os.read(sys.stdin.fileno(), 4096):
                return  # the client died
            if key.data == "child":
                with contextlib.suppress(BlockingIOError):
                    wake.recv(4096)
            if key.data == "accept":
                conn, _ = listener.accept()
                _fork_worker(listener, conn, (wake, woken))
        _reap()


def _wake_only(_signum: int, _frame: object) -> None:
    """A Python handler, so SIGCHLD is delivered and writes to the wake-up socket."""


def _fork_worker(listener: socket.socket, conn: socket.socket, wake: tuple[socket.socket, socket.socket]) -> None:
    from .fork_safety import ForkUnsafe, check_fork_safe  # noqa: PLC0415

    try:
        conn.settimeout(5.0)
        request = _read_request(conn)
        check_fork_safe()
    except (ValueError, OSError, ForkUnsafe) as exc:
        log.warning("refused a worker request: %s", exc)
        _send_quietly(conn, f"DSPY_CONNECT_ZYGOTE_ERROR {json.dumps(str(exc))}\n")
        conn.close()
        return
    pid = os.fork()
    if pid == 0:
        _become_worker([listener, *wake], conn, request)
    # The child's pid, before its ready line: a client that gives up waiting can still kill it.
    _send_quietly(conn, f"{FORKED_PREFIX}{json.dumps({'pid': pid})}\n")
    conn.close()
    log.info("forked worker pid %d", pid)


def _become_worker(zygote_sockets: list[socket.socket], conn: socket.socket, request: WorkerRequest) -> None:
    try:
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        for own in zygote_sockets:
            own.close()
        os.setsid()  # its own process group: the client signals it, and sweeps it, by its pid
        conn.settimeout(None)
        os.dup2(conn.fileno(), 0)
        os.dup2(conn.fileno(), 1)
        conn.close()
        os.environ.update(request.env)
        for name in request.unset:
            os.environ.pop(name, None)
        from .__main__ import main as run_worker  # noqa: PLC0415

        run_worker(request.argv)  # exits the process
    finally:
        os._exit(70)  # only if the worker raised before it could exit


def _read_request(conn: socket.socket) -> WorkerRequest:
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(4096)
        if not chunk:
            raise BadRequest("the request ended before its newline")
        data += chunk
        if len(data) > MAX_REQUEST_BYTES:
            raise BadRequest(f"the request is over {MAX_REQUEST_BYTES} bytes")
    request: object = json.loads(data)  # ValueError when it is not JSON
    if not isinstance(request, dict):
        raise BadRequest("the request must be a JSON object")
    fields = cast("dict[str, object]", request)
    argv, env, unset = fields.get("argv"), fields.get("env", {}), fields.get("unset", [])
    if not isinstance(argv, list) or not all(isinstance(a, str) for a in cast("list[object]", argv)):
        raise BadRequest('"argv" must be a list of strings')
    if not isinstance(env, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in cast("dict[object, object]", env).items()
    ):
        raise BadRequest('"env" must map strings to strings')
    if not isinstance(unset, list) or not all(isinstance(n, str) for n in cast("list[object]", unset)):
        raise BadRequest('"unset" must be a list of strings')
    return WorkerRequest(cast("list[str]", argv), cast("dict[str, str]", env), cast("list[str]", unset))


def _reap() -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        _say(EXIT_PREFIX, {"pid": pid, "code": os.waitstatus_to_exitcode(status)})


def _say(prefix: str, payload: dict[str, Any]) -> None:
    print(prefix + json.dumps(payload), flush=True)


def _send_quietly(conn: socket.socket, text: str) -> None:
    with contextlib.suppress(OSError):  # the client may have gone already
        conn.sendall(text.encode())


if __name__ == "__main__":
    main()
