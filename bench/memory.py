"""A worker's memory over many calls and many sessions (issue 12, defects 4 and 10).

Usage: python bench/memory.py [--calls 5000] [--sessions 1500] [--rounds 3] [--input-kb 20] [--json]

One worker on the instant scripted LM, driven by a raw grpcio client over its Unix socket:
  calls     N Predict calls, each with a distinct 20 KB input (every call misses the LM
            cache and adds to it); the worker's RSS every 1,000 calls, with what it holds
            (DSPy's global trace, LM cache entries in memory and bytes on disk).
  sessions  N sessions, each with its own LM config, a chain_of_thought module with its own
            instructions, and two calls; then all closed; for several rounds. RSS with them
            open, right after closing, and after the worker has been idle for 3 s, with
            the objects still alive (counted without collecting: what the worker freed).
DSPY_CACHEDIR points at a fresh temp folder, so DSPy's default disk cache (if a worker
still uses it) is measured and not left in your home folder.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import grpc

sys.path.insert(0, __file__.rsplit("/bench/", 1)[0] + "/python/tests")
from conftest import start_worker
from dspy_connect.v1 import common_pb2, run_pb2, worker_pb2, worker_pb2_grpc
from run_client import run

MiB = 2**20


async def census(stub, args=b"{}") -> dict:
    start = run_pb2.RunStart(command=run_pb2.CommandRun(command="memory_census", args_json=args))
    _, done = await run(stub, start)
    return json.loads(done.result_json)


def folder_bytes(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) if folder.exists() else 0


async def calls(stub, n: int, input_chars: int, dspy_cache: Path) -> list[dict]:
    predict = common_pb2.ModuleSpec(type="predict", signature="question -> answer")

    async def one(i: int) -> None:
        text = f"{i} " + "x" * (input_chars - len(str(i)) - 1)
        await stub.Call(worker_pb2.CallRequest(module=predict, inputs_json=json.dumps({"question": text}).encode()))

    async def row(done: int) -> dict:
        c = await census(stub)
        cache = c["lm_cache"]
        disk = cache["disk_bytes"] if cache["disk"] else 0
        return {
            "calls": done,
            "rss_mib": c["rss_bytes"] / MiB,
            "trace": c["trace"],
            "cache_entries": cache["memory_entries"],
            "disk_mib": max(disk, folder_bytes(dspy_cache)) / MiB,
        }

    await one(-1)
    rows = [await row(0)]
    for i in range(n):
        await one(i)
        if (i + 1) % 1000 == 0:
            rows.append(await row(i + 1))
    return rows


async def sessions(stub, n: int, rounds: int) -> dict:

    def rss(snapshot: dict) -> float:
        return snapshot["rss_bytes"] / MiB

    start = await census(stub)
    figures = []
    for r in range(rounds):
        ids = []
        for i in range(n):
            user = r * n + i
            lm = common_pb2.LmConfig(model="scripted/echo", api_key=f"user-{user}-key")
            session = await stub.CreateSession(worker_pb2.CreateSessionRequest(lm=lm))
            ids.append(session.session_id)
            spec = common_pb2.ModuleSpec(
                type="chain_of_thought", signature="question -> answer", instructions=f"Answer for user {user}."
            )
            for q in ("first", "second"):
                request = worker_pb2.CallRequest(
                    module=spec,
                    module_id="answerer",
                    session_id=session.session_id,
                    inputs_json=json.dumps({"question": f"{q} question of user {user}"}).encode(),
                )
                await stub.Call(request)
        held = await census(stub, b'{"collect": false}')
        for session_id in ids:
            await stub.CloseSession(worker_pb2.CloseSessionRequest(session_id=session_id))
        closed = await stub.Describe(worker_pb2.DescribeRequest())
        await asyncio.sleep(3)
        idle = await census(stub, b'{"collect": false}')  # what the worker freed by itself
        figures.append(
            {
                "open_mib": rss(held),
                "closed_mib": closed.rss_bytes / MiB,
                "idle_mib": rss(idle),
                "live_open": held["live"],
                "live_idle": idle["live"],
                "active_after": closed.active_sessions,
            }
        )
    return {"sessions": n, "start_mib": rss(start), "live_start": start["live"], "rounds": figures}


async def measure(args: argparse.Namespace) -> dict:
    dspy_cache = Path(tempfile.mkdtemp(prefix="bench-dspy-cache-"))
    worker = start_worker(
        "--lm",
        "scripted/echo",
        "--import",
        "dspy_connect.testing.memory_census",
        "--worker-id",
        "bench-memory",
        env={"DSPY_CACHEDIR": str(dspy_cache)},
    )
    try:
        async with grpc.aio.insecure_channel(worker.address) as channel:
            stub = worker_pb2_grpc.WorkerServiceStub(channel)
            t = time.perf_counter()
            call_rows = await calls(stub, args.calls, args.input_kb * 1000, dspy_cache)
            call_seconds = time.perf_counter() - t
            session_figures = await sessions(stub, args.sessions, args.rounds) if args.sessions else None
            return {"calls": call_rows, "call_seconds": call_seconds, "sessions": session_figures}
    finally:
        worker.stop()
        shutil.rmtree(dspy_cache, ignore_errors=True)


def report(result: dict, args: argparse.Namespace) -> None:
    rows = result["calls"]
    print(f"{args.calls} Predict calls, {args.input_kb} KB distinct inputs ({result['call_seconds']:.1f} s)")
    print("| calls | worker RSS (MiB) | trace entries | LM cache entries in memory | LM cache on disk (MiB) |")
    print("|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['calls']} | {r['rss_mib']:.0f} | {r['trace']} | {r['cache_entries']} | {r['disk_mib']:.1f} |")
    if len(rows) > 2:
        first, later = rows[1]["rss_mib"] - rows[0]["rss_mib"], (rows[-1]["rss_mib"] - rows[1]["rss_mib"]) / (len(rows) - 2)
        print(f"RSS growth: {first:.1f} MiB over the first 1,000 calls, then {later:.1f} MiB per 1,000 calls")
    s = result["sessions"]
    if s:
        print()
        print(
            f"{s['sessions']} sessions (own LM config, chain_of_thought with own instructions, 2 calls each), "
            f"then all closed; {len(s['rounds'])} rounds, RSS in MiB (start {s['start_mib']:.0f})"
        )
        print(
            "| round | all open | just closed | idle 3 s | open sessions after "
            "| live Session / ChainOfThought / signature classes, open → idle |"
        )
        print("|---|---|---|---|---|---|")
        for i, r in enumerate(s["rounds"]):
            print(
                f"| {i + 1} | {r['open_mib']:.0f} | {r['closed_mib']:.0f} | {r['idle_mib']:.0f} | {r['active_after']} | "
                f"{_live(r['live_open'])} → {_live(r['live_idle'])} |"
            )
        first = s["rounds"][0]
        print(f"RSS per open session (round 1): {(first['open_mib'] - s['start_mib']) * 1024 / s['sessions']:.0f} KiB")


def _live(counts: dict) -> str:
    return "/".join(str(counts.get(k, 0)) for k in ("Session", "ChainOfThought", "Signature classes"))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--sessions", type=int, default=1500)
    parser.add_argument("--rounds", type=int, default=3, help="times to open and close the sessions")
    parser.add_argument("--input-kb", type=int, default=20)
    parser.add_argument("--json", action="store_true", help="print the raw figures as JSON")
    args = parser.parse_args()
    result = asyncio.run(measure(args))
    print(json.dumps(result)) if args.json else report(result, args)
