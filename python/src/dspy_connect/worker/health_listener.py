"""A second listener, plaintext, that serves only grpc.health.v1: for probes that can neither
send the bearer token nor speak TLS (Kubernetes' gRPC probes, a container HEALTHCHECK). It
shares the worker's HealthServicer, so it reports the same status (NOT_SERVING while the
worker drains), and it stays up until the worker has drained. No worker service, no data."""

from __future__ import annotations

from argparse import Namespace

import grpc
from grpc_health.v1 import health_pb2_grpc
from grpc_health.v1._async import HealthServicer

from .grpc_types import Continuation, Handler
from .health_watches import WATCH_METHOD, OpenWatches
from .startup_error import StartupError

__all__ = ["HealthListener", "health_host", "start_health_port"]

# A health request or reply is a few bytes; nothing bigger is read.
_MAX_MESSAGE_BYTES = 4096


def health_host(args: Namespace) -> str:
    """Where the health port listens: the --tcp host (kubelet probes the pod's address), or
    loopback for a worker on a Unix socket."""
    host = args.tcp.rpartition(":")[0] if args.tcp else ""
    return host or "127.0.0.1"


class _BoundedWatches(grpc.aio.ServerInterceptor):
    """Anyone who reaches the port may Watch: the open streams are bounded, as without the token."""

    def __init__(self) -> None:
        self._watches = OpenWatches()

    async def intercept_service(
        self, continuation: Continuation, handler_call_details: grpc.HandlerCallDetails
    ) -> Handler | None:
        handler = await continuation(handler_call_details)
        if handler is None or handler_call_details.method != WATCH_METHOD:
            return handler
        return self._watches.bounded(handler, _as_is)


def _as_is(handler: Handler) -> Handler:
    return handler  # for a Watch that is not a stream, which grpc_health's never is


async def start_health_port(health: HealthServicer, args: Namespace) -> HealthListener | None:
    """The listener on --health-port, started; None without the flag."""
    if args.health_port is None:
        return None
    listener = HealthListener(health)
    await listener.start(health_host(args), args.health_port)
    return listener


class HealthListener:
    def __init__(self, health: HealthServicer) -> None:
        self._server = grpc.aio.server(
            interceptors=[_BoundedWatches()],
            options=[
                ("grpc.max_receive_message_length", _MAX_MESSAGE_BYTES),
                ("grpc.so_reuseport", 0),
            ],
        )
        health_pb2_grpc.add_HealthServicer_to_server(health, self._server)  # pyright: ignore[reportUnknownMemberType] (no stubs)
        self.address = ""

    async def start(self, host: str, port: int) -> None:
        """Listens on host:port (0 picks one), then `address` is the one it bound."""
        try:
            bound = self._server.add_insecure_port(f"{host}:{port}")
        except RuntimeError as exc:  # grpc's "Failed to bind": in use, or not an address of ours
            raise StartupError(f"--health-port {port} cannot listen on {host}: {exc}") from None
        await self._server.start()
        self.address = f"{host}:{bound}"

    async def stop(self) -> None:
        await self._server.stop(None)
