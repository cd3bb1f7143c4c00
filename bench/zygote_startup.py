"""A worker forked from a zygote against a normally started one: time to serve, and memory.

Usage: python bench/zygote_startup.py [--children 2]

Times, in ms from the request (fork) or the spawn: the ready line, the first health check
answered, the first Describe (reporting whether the warm-up was already done, without
waiting for it), and the first Predict served through LiteLLM by the scripted LM.
Memory from /proc/<pid>/smaps_rollup: RSS, PSS, USS (private clean + dirty) and shared.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2

sys.path.insert(0, __file__.rsplit("/bench/", 1)[0] + "/python/tests")
from conftest import READY_PREFIX, health_stub, start_worker
from dspy_connect.v1 import common_pb2, worker_pb2, worker_pb2_grpc

ZYGOTE_READY = "DSPY_CONNECT_ZYGOTE_READY "


def memory(pid: int) -> dict[str, float]:
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value, *_ = line.split()
        fields[name.rstrip(":")] = int(value) / 1024
    uss = fields["Private_Clean"] + fields["Private_Dirty"]
    shared = fields["Shared_Clean"] + fields["Shared_Dirty"]
    return {
        "rss_mb": round(fields["Rss"], 1),
        "pss_mb": round(fields["Pss"], 1),
        "uss_mb": round(uss, 1),
        "shared_mb": round(shared, 1),
    }


async def first_answers(address: str, started: float) -> dict[str, object]:
    async with grpc.aio.insecure_channel(address) as channel:
        await health_stub(channel).Check(health_pb2.HealthCheckRequest())
        health_ms = (time.perf_counter() - started) * 1000
        stub = worker_pb2_grpc.WorkerServiceStub(channel)
        info = await stub.Describe(worker_pb2.DescribeRequest())
        describe_ms = (time.perf_counter() - started) * 1000
        request = worker_pb2.CallRequest(
            module=common_pb2.ModuleSpec(type="predict", signature="question -> answer"),
            inputs_json=b'{"question": "q"}',
            lm=common_pb2.LmConfig(model="scripted/echo", cache=False),
        )
        reply = await stub.Call(request)
        call_ms = (time.perf_counter() - started) * 1000
    if not json.loads(reply.outputs_json).get("answer"):
        raise RuntimeError("the predict returned no answer")
    return {
        "health_ms": round(health_ms, 1),
        "describe_ms": round(describe_ms, 1),
        "warmed_up_at_describe": info.warmed_up,
        "predict_ms": round(call_ms, 1),
    }


def fork_child(control: str, folder: str, slot: str) -> tuple[socket.socket, dict, float, float]:
    started = time.perf_counter()
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.connect(control)
    argv = ["--uds", f"{folder}/{slot}.sock", "--worker-id", slot, "--max-concurrency", "8", "--exit-with-stdin"]
    conn.sendall(json.dumps({"argv": argv, "env": {}}).encode() + b"\n")
    reader = conn.makefile("r")
    for line in reader:
        if line.startswith(READY_PREFIX):
            return conn, json.loads(line[len(READY_PREFIX) :]), started, (time.perf_counter() - started) * 1000
    raise RuntimeError("the zygote's child closed before it was ready")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--children", type=int, default=2)
    opts = p.parse_args()
    folder = tempfile.mkdtemp(prefix="zygote-bench-")
    env = {**os.environ, "DSPY_CONNECT_TEST_PROVIDERS": "1"}
    started = time.perf_counter()
    zygote = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
        [sys.executable, "-m", "dspy_connect.worker.zygote", "--control", f"{folder}/zygote.sock", "--exit-with-stdin"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    )
    control = ""
    for line in zygote.stdout or ():
        if line.startswith(ZYGOTE_READY):
            control = json.loads(line[len(ZYGOTE_READY) :])["control"]
            break
    result: dict[str, object] = {"zygote_ready_ms": round((time.perf_counter() - started) * 1000, 1)}
    children, conns = [], []
    for i in range(opts.children):
        conn, ready, t0, ready_ms = fork_child(control, folder, f"z{i}")
        answers = asyncio.run(first_answers(ready["address"], t0))
        children.append({"pid": ready["pid"], "ready_ms": round(ready_ms, 1), **answers})
        conns.append(conn)
    time.sleep(1.0)  # let the children's background threads settle before reading memory
    for child in children:
        child["memory"] = memory(int(child["pid"]))  # type: ignore[arg-type]
    result["zygote_memory"] = memory(zygote.pid)
    result["forked"] = children

    started = time.perf_counter()
    worker = start_worker("--uds", f"{folder}/plain.sock")
    ready_ms = (time.perf_counter() - started) * 1000
    answers = asyncio.run(first_answers(worker.address, started))
    time.sleep(1.0)
    result["spawned"] = {
        "pid": worker.ready["pid"],
        "ready_ms": round(ready_ms, 1),
        **answers,
        "memory": memory(worker.ready["pid"]),
    }
    worker.stop()
    for conn in conns:
        conn.close()  # stdin EOF: each child exits
    zygote.stdin.close()  # type: ignore[union-attr]
    zygote.wait(timeout=15)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
