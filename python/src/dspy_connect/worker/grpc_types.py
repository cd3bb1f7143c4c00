"""Names for grpc.aio's handler types. grpc's stubs describe the sync server's handlers;
the worker's interceptors pass async behaviors through them, untyped (Any). The aliases are
strings: the classes are generic only in the stubs, not at run time."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeAlias

import grpc

Handler: TypeAlias = "grpc.RpcMethodHandler[Any, Any]"
Context: TypeAlias = "grpc.aio.ServicerContext[Any, Any]"
Continuation: TypeAlias = "Callable[[grpc.HandlerCallDetails], Awaitable[Handler | None]]"
