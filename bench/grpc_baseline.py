"""Baseline: raw grpcio Python-to-Python unary calls on a worker's Unix socket.

Usage: python bench/grpc_baseline.py N  -> starts its own worker, prints JSON timings (ms).
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time

import grpc

sys.path.insert(0, __file__.rsplit("/bench/", 1)[0] + "/python/tests")
from conftest import start_worker
from dspy_connect.v1 import common_pb2, worker_pb2, worker_pb2_grpc


def pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


async def measure(n: int) -> dict:
    worker = start_worker("--lm", "scripted/echo")
    try:
        async with grpc.aio.insecure_channel(worker.address) as channel:
            stub = worker_pb2_grpc.WorkerServiceStub(channel)
            call = worker_pb2.CallRequest(
                module=common_pb2.ModuleSpec(type="predict", signature="question -> answer"),
                inputs_json=b'{"question": "hi"}',
            )
            uncached = worker_pb2.CallRequest()
            uncached.CopyFrom(call)
            uncached.lm.CopyFrom(common_pb2.LmConfig(model="scripted/echo", cache=False))
            await stub.Call(call)  # waits out the worker's warm-up
            results = {}
            for name, make in (
                ("describe", lambda: stub.Describe(worker_pb2.DescribeRequest())),
                ("call", lambda: stub.Call(call)),
                ("uncached", lambda: stub.Call(uncached)),
            ):
                for _ in range(min(200, n)):
                    await make()  # warm-up
                samples = []
                for _ in range(n):
                    t = time.perf_counter()
                    await make()
                    samples.append((time.perf_counter() - t) * 1000)
                results[name] = {"p50": pct(samples, 50), "p99": pct(samples, 99), "mean": statistics.fmean(samples), "n": n}
            return results
    finally:
        worker.stop()


if __name__ == "__main__":
    print(json.dumps(asyncio.run(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 2000))))
