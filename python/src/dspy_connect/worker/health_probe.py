"""`dspy-connect-worker-health`: asks a worker's health port (--health-port) whether it
serves, for a container HEALTHCHECK. Exit code 0: SERVING; 1: anything else, or no answer.
It imports grpc alone (no DSPy), so a probe costs a fraction of a second."""

from __future__ import annotations

import argparse
import sys
from typing import Any

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

__all__ = ["DEFAULT_HEALTH_PORT", "main", "probe"]

# The port the image and the Kubernetes manifests give --health-port (deploy/).
DEFAULT_HEALTH_PORT = 7001


def probe(host: str, port: int, service: str = "", timeout_s: float = 3.0) -> str:
    """The status name the worker reports for `service` ("" is the whole worker), or why none came."""
    with grpc.insecure_channel(f"{host}:{port}") as channel:
        stub: Any = health_pb2_grpc.HealthStub(channel)  # its type stubs leave out Check
        try:
            reply: Any = stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=timeout_s)
        except grpc.RpcError as exc:
            failure: Any = exc  # also a grpc.Call, which has code()
            return f"no answer: {failure.code().name}"
    return health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="dspy-connect-worker-health", description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=DEFAULT_HEALTH_PORT, help="the worker's --health-port")
    p.add_argument("--service", default="", help='the service asked about; "" (the default) is the whole worker')
    p.add_argument("--timeout", type=float, default=3.0, help="seconds to wait for the answer")
    args = p.parse_args(argv)
    status = probe(args.host, args.port, args.service, args.timeout)
    print(status, file=sys.stderr)
    sys.exit(0 if status == "SERVING" else 1)


if __name__ == "__main__":
    main()
