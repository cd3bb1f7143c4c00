"""What one worker needs from its host: the figures behind the resource requests and limits in
deploy/kubernetes/deployment.yaml.

Usage: python bench/worker_footprint.py [--levels 16,64,128] [--seconds 15] [--json]

One worker, started as the Deployment starts it (the console script, --health-port) but on a
Unix socket and the scripted LM (scripted/tokens-5: a token every 5 ms), driven by a raw
grpcio client. It reports the worker's RSS at start, when idle after warm-up, and at its peak
while N streamed chain_of_thought runs are kept in flight for a while (each one ended is
replaced at once), with the CPU the worker used then, in cores (CPU seconds / wall seconds),
and how many runs and tokens it served. The client runs in this process, so on a small
machine it competes with the worker for the cores: the CPU figure is the worker's alone.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, __file__.rsplit("/bench/", 1)[0] + "/python/tests")
from conftest import connect, start_worker
from dspy_connect.v1 import common_pb2, run_pb2
from run_client import run

MiB = 2**20
TICKS = os.sysconf("SC_CLK_TCK")


def rss_mib(pid: int) -> tuple[float, float]:
    """(RSS now, peak RSS) of a process, in MiB."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def cpu_seconds(pid: int) -> float:
    stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(stat[11]) + int(stat[12])) / TICKS  # utime, stime


def streamed_run(n: int) -> run_pb2.RunStart:
    module = common_pb2.ModuleSpec(type="chain_of_thought", signature="question -> answer")
    inputs = json.dumps({"question": f"question {n}: what does a worker need?"}).encode()
    lm = common_pb2.LmConfig(model="scripted/tokens-5", cache=False)
    return run_pb2.RunStart(module=run_pb2.ModuleRun(module=module, inputs_json=inputs), lm=lm)


async def hold_level(worker, level: int, seconds: float) -> dict:
    """`level` runs in flight for `seconds`; the worker's CPU, peak RSS and what it served."""
    served = {"runs": 0, "tokens": 0, "failed": 0}
    peak = 0.0
    deadline = time.monotonic() + seconds

    async with connect(worker) as stub:

        async def lane(lane_id: int) -> None:
            n = 0
            while time.monotonic() < deadline:
                events, done = await run(stub, streamed_run(lane_id * 1_000_000 + n))
                n += 1
                if done.WhichOneof("outcome") == "result_json":
                    served["runs"] += 1
                    served["tokens"] += sum(1 for e in events if e.WhichOneof("kind") == "token")
                else:
                    served["failed"] += 1

        cpu0, wall0 = cpu_seconds(worker.proc.pid), time.monotonic()
        lanes = asyncio.gather(*(lane(i) for i in range(level)))
        while not lanes.done():
            peak = max(peak, rss_mib(worker.proc.pid)[0])
            await asyncio.wait([lanes], timeout=0.25)
        await lanes
        cpu, wall = cpu_seconds(worker.proc.pid) - cpu0, time.monotonic() - wall0
    return {
        "level": level,
        "seconds": round(wall, 1),
        "worker_cores": round(cpu / wall, 2),
        "peak_rss_mib": round(peak, 1),
        "runs_per_s": round(served["runs"] / wall, 1),
        "tokens_per_s": round(served["tokens"] / wall),
        **served,
    }


async def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--levels", default="16,64,128", help="streams in flight at once, one round each")
    p.add_argument("--seconds", type=float, default=15.0, help="how long each level is held")
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    levels = [int(level) for level in args.levels.split(",")]

    script = Path(sys.executable).parent / "dspy-connect-worker"
    folder = Path(tempfile.mkdtemp(prefix="dc-footprint-")) / "private"
    worker = start_worker("--uds", str(folder / "w.sock"), "--health-port", "0", "--lm", "scripted/echo", command=[str(script)])
    try:
        at_start = rss_mib(worker.proc.pid)[0]
        async with connect(worker) as stub:  # the warm-up (LiteLLM, the scripted provider) ends before a call is served
            await run(stub, streamed_run(0))
        await asyncio.sleep(3)
        idle = rss_mib(worker.proc.pid)[0]
        idle_cpu0 = cpu_seconds(worker.proc.pid)
        await asyncio.sleep(5)
        idle_cores = (cpu_seconds(worker.proc.pid) - idle_cpu0) / 5
        rounds = [await hold_level(worker, level, args.seconds) for level in levels]
        after = rss_mib(worker.proc.pid)
    finally:
        worker.stop()

    result = {
        "rss_at_ready_mib": round(at_start, 1),
        "rss_idle_mib": round(idle, 1),
        "idle_cores": round(idle_cores, 3),
        "rounds": rounds,
        "rss_after_mib": round(after[0], 1),
        "rss_peak_mib": round(after[1], 1),
        "machine_cores": os.cpu_count(),
    }
    if args.json:
        print(json.dumps(result))
        return
    print(f"RSS at ready {result['rss_at_ready_mib']} MiB, idle after warm-up {result['rss_idle_mib']} MiB")
    print(f"idle CPU {idle_cores:.3f} cores")
    for r in rounds:
        print(
            f"{r['level']:>4} streams: {r['worker_cores']} cores, peak RSS {r['peak_rss_mib']} MiB, "
            f"{r['runs_per_s']} runs/s, {r['tokens_per_s']} tokens/s ({r['failed']} failed)"
        )
    print(f"after: RSS {result['rss_after_mib']} MiB, process peak {result['rss_peak_mib']} MiB")


if __name__ == "__main__":
    asyncio.run(main())
