# pyright: reportUnknownMemberType=false, reportUnknownArgumentType=false, reportUnknownVariableType=false, reportUnknownLambdaType=false
# (DSPy ships no type information: pyright reads much of what it returns as Unknown.)
"""Builds, runs and stops the grpc.aio server."""

from __future__ import annotations

import asyncio
import faulthandler
import json
import logging
import os
import signal
import stat
import sys
import tempfile
import threading
from argparse import Namespace
from collections.abc import Callable
from pathlib import Path

import dspy
import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_health.v1._async import HealthServicer

from .. import garbage, lm, protocol, warmup
from ..v1 import worker_pb2_grpc
from .auth import TOKEN_HINT, TokenInterceptor, token_weakness
from .health_listener import start_health_port
from .malformed import MalformedRequestInterceptor
from .plugins import load_plugins
from .service import WorkerService
from .startup_error import StartupError
from .tls import CertificateReloader, TlsFiles, TlsFilesError

log = logging.getLogger("dspy_connect.worker")
READY_PREFIX = "DSPY_CONNECT_READY "
SERVICE_NAME = "dspy_connect.v1.WorkerService"
SWEEP_SECONDS = 1.0
# Set by test harnesses: the scripted LM providers (dspy_connect.testing.scripted_lm) load too.
TEST_PROVIDERS_ENV = "DSPY_CONNECT_TEST_PROVIDERS"


def private_socket_path(requested: str | None) -> Path:
    """A socket path whose folder only we can enter (0700, owned by us)."""
    if not requested:
        return Path(tempfile.mkdtemp(prefix="dspy-connect-")) / "worker.sock"
    path = Path(requested)
    folder = path.parent
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = folder.lstat()  # lstat: a symlink in the folder's place is refused, not followed
    if stat.S_ISLNK(info.st_mode):
        raise StartupError(f"socket folder {folder} is a symbolic link")
    if info.st_uid != os.geteuid() or stat.S_IMODE(info.st_mode) & 0o077:
        raise StartupError(f"socket folder {folder} must be owned by this user with mode 0700")
    try:
        existing = path.lstat()
    except FileNotFoundError:
        return path
    if not stat.S_ISSOCK(existing.st_mode):
        raise StartupError(f"{path} exists and is not a socket")
    path.unlink()  # left by a crashed worker
    return path


async def serve(args: Namespace) -> None:
    # A long-lived worker must not grow LM history, nor DSPy's global trace (the last 10,000
    # (module, inputs, prediction) tuples). Each call and run gets a trace of its own
    # (optimizers open theirs with dspy.context(trace=[])), dropped when it ends.
    dspy.configure(disable_history=True, trace=None)
    garbage.collect_in_background()
    load_plugins(args.imports, args.python_path)
    max_bytes = args.max_message_mb * 1024 * 1024
    interceptors: list[grpc.aio.ServerInterceptor] = []
    if args.tcp:
        token = os.environ.get(args.token_env, "")
        if not token:
            raise StartupError(f"--tcp needs a bearer token in ${args.token_env}; {TOKEN_HINT}")
        weakness = token_weakness(token)
        if weakness:
            raise StartupError(f"the bearer token in ${args.token_env} is too weak: {weakness}; {TOKEN_HINT}")
        interceptors.append(TokenInterceptor(token))
    interceptors.append(MalformedRequestInterceptor())  # after the token check: strangers get UNAUTHENTICATED
    server = grpc.aio.server(
        interceptors=interceptors,
        options=[
            ("grpc.max_receive_message_length", max_bytes),
            ("grpc.max_send_message_length", max_bytes),
            ("grpc.so_reuseport", 0),
        ],
    )
    service = WorkerService(args.worker_id, lm.settings_from_model(args.lm), args.max_concurrency)
    worker_pb2_grpc.add_WorkerServiceServicer_to_server(service, server)
    health = HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health, server)

    socket_path = None if args.tcp else private_socket_path(args.uds)
    if socket_path is not None:
        server.add_insecure_port(f"unix:{socket_path}")
        address = f"unix:{socket_path}"
    else:
        host, _, port = args.tcp.rpartition(":")
        bound = _add_tcp_port(server, f"{host or '127.0.0.1'}:{port}", args, loop=asyncio.get_running_loop())
        address = f"{host or '127.0.0.1'}:{bound}"
    await server.start()
    service.admission.start()
    health_port = await start_health_port(health, args)
    for name in ("", SERVICE_NAME):
        await health.set(name, health_pb2.HealthCheckResponse.SERVING)

    # A crash prints every thread's stack to stderr, and so does `kill -USR1 <pid>` (what a
    # stuck worker is doing).
    faulthandler.enable(all_threads=True)
    faulthandler.register(signal.SIGUSR1, all_threads=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    if args.exit_with_stdin:
        _watch_stdin(loop, stop)
    sweeper = asyncio.create_task(_sweep_sessions(service))

    ready = {"address": address, "pid": os.getpid(), "worker_id": args.worker_id, "version": protocol.worker_version()}
    if health_port:
        ready["health_address"] = health_port.address
    print(READY_PREFIX + json.dumps(ready), flush=True)
    log.info("worker %s ready on %s", args.worker_id, address)
    if not warmup.is_done():  # a worker forked from a zygote was warmed up before the fork
        warmup.start(args.lm_cache.apply, test_providers_hook())

    await stop.wait()
    log.info("worker %s shutting down", args.worker_id)
    sweeper.cancel()
    await health.enter_graceful_shutdown()
    await server.stop(args.grace)
    if health_port:  # after the drain: probes see NOT_SERVING until the end
        await health_port.stop()
    service.close()
    if socket_path is not None:
        socket_path.unlink(missing_ok=True)
        if not args.uds:
            socket_path.parent.rmdir()


def _add_tcp_port(server: grpc.aio.Server, where: str, args: Namespace, loop: asyncio.AbstractEventLoop) -> int:
    """TLS unless --insecure; with TLS, SIGHUP re-reads the certificate files."""
    if args.insecure:
        return server.add_insecure_port(where)
    try:
        reloader = CertificateReloader(TlsFiles(args.tls_cert, args.tls_key, args.tls_client_ca))
    except TlsFilesError as exc:
        raise StartupError(str(exc)) from None
    loop.add_signal_handler(signal.SIGHUP, reloader.reload)
    return server.add_secure_port(where, reloader.credentials())


def test_providers_hook() -> Callable[[], None] | None:
    """What the warm-up runs last: the scripted LM providers, when a test harness asks."""
    return _register_test_providers if os.environ.get(TEST_PROVIDERS_ENV) == "1" else None


def _register_test_providers() -> None:
    # scripted_lm imports LiteLLM (~5 s): it loads here, in the warm-up thread, after the ready line.
    from ..testing import scripted_lm  # noqa: PLC0415

    scripted_lm.register()


def _watch_stdin(loop: asyncio.AbstractEventLoop, stop: asyncio.Event) -> None:
    """The parent holds our stdin open; EOF means it died, so we go too."""

    def wait_for_eof() -> None:
        try:
            while sys.stdin.buffer.read(4096):
                pass
        finally:
            loop.call_soon_threadsafe(stop.set)

    threading.Thread(target=wait_for_eof, name="stdin-watch", daemon=True).start()


async def _sweep_sessions(service: WorkerService) -> None:
    while True:
        await asyncio.sleep(SWEEP_SECONDS)
        service.sessions.sweep()
