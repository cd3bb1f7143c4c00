"""The admission gate, on a real event loop whose lag comes from real blocking, and in a
real worker whose loop lags."""

from __future__ import annotations

import asyncio
import json
import time

from dspy_connect.v1 import run_pb2, worker_pb2
from dspy_connect.worker.admission import AdmissionGate

from .conftest import plugin_fixtures
from .run_client import run

plugins_worker, stub = plugin_fixtures("admission-w", "dspy_connect.testing.plugins")

TICK_S = 0.01


def _block_loop(seconds: float) -> None:
    """Blocks the event loop: the meter's next tick is that late."""
    time.sleep(seconds)


async def _enter(gate: AdmissionGate, name: str, order: list[str], release: asyncio.Event) -> None:
    async with gate.admitted():
        order.append(name)
        await release.wait()


async def _lagging_gate() -> AdmissionGate:
    """A gate that has just seen its loop blocked for far longer than it allows."""
    gate = AdmissionGate(max_lag_s=0.05, tick_s=TICK_S)
    gate.start()
    await asyncio.sleep(TICK_S * 3)
    _block_loop(0.5)
    await asyncio.sleep(TICK_S * 2)
    assert gate.lag_s > gate.max_lag_s
    return gate


async def test_admits_at_once_while_the_loop_keeps_up() -> None:
    gate = AdmissionGate(max_lag_s=0.5, tick_s=TICK_S)
    gate.start()
    order: list[str] = []
    release = asyncio.Event()
    tasks = [asyncio.create_task(_enter(gate, str(i), order, release)) for i in range(50)]
    await asyncio.sleep(TICK_S * 5)
    assert (gate.running, gate.waiting, len(order)) == (50, 0, 50)
    release.set()
    await asyncio.gather(*tasks)
    assert gate.running == 0
    gate.stop()


async def test_holds_new_work_while_the_loop_lags_then_admits_it_in_order() -> None:
    order: list[str] = []
    first_release, release = asyncio.Event(), asyncio.Event()
    gate = AdmissionGate(max_lag_s=0.05, tick_s=TICK_S)
    gate.start()
    running = asyncio.create_task(_enter(gate, "running", order, first_release))
    await asyncio.sleep(TICK_S * 2)
    _block_loop(0.5)
    await asyncio.sleep(TICK_S)  # one tick: the meter has seen the lag and not yet recovered
    assert gate.lag_s > gate.max_lag_s
    held = [asyncio.create_task(_enter(gate, f"held-{i}", order, release)) for i in range(3)]
    await asyncio.sleep(0)
    assert gate.waiting == 3
    assert order == ["running"]
    # The loop keeps up again: the lag decays and the held work gets in, first come first served.
    for _ in range(1000):  # bounded: ~10 s
        if len(order) == 4:
            break
        await asyncio.sleep(TICK_S)
    assert order == ["running", "held-0", "held-1", "held-2"]
    first_release.set()
    release.set()
    await asyncio.gather(running, *held)
    assert gate.running == 0
    gate.stop()


async def test_work_gets_in_when_none_is_running_however_the_loop_lags() -> None:
    gate = await _lagging_gate()
    order: list[str] = []
    release = asyncio.Event()
    release.set()
    await _enter(gate, "alone", order, release)
    assert order == ["alone"]
    assert gate.running == 0
    gate.stop()


async def test_a_cancelled_wait_leaves_the_queue() -> None:
    gate = await _lagging_gate()
    order: list[str] = []
    release = asyncio.Event()
    gate.running = 1  # some work holds a place
    waiting = asyncio.create_task(_enter(gate, "cancelled", order, release))
    await asyncio.sleep(0)
    assert gate.waiting == 1
    waiting.cancel()
    await asyncio.gather(waiting, return_exceptions=True)
    assert gate.waiting == 0
    assert gate.running == 1
    assert order == []
    gate.stop()


def _command(name: str, **args: object) -> run_pb2.RunStart:
    return run_pb2.RunStart(command=run_pb2.CommandRun(command=name, args_json=json.dumps(args).encode()))


async def test_a_worker_whose_loop_lags_holds_new_runs_until_it_catches_up(stub) -> None:
    idle = await stub.Describe(worker_pb2.DescribeRequest(wait_for_warm_up=True))
    assert idle.waiting == 0
    assert idle.loop_lag_ms < 500
    # One run keeps the loop ~0.8 s behind for a while, as a saturated CPU would.
    lagging = asyncio.create_task(run(stub, _command("hold_gil_in_pulses", seconds=6, pulse_s=0.8)))
    await asyncio.sleep(1.5)
    held = asyncio.create_task(run(stub, _command("echo_args", n=1)))
    seen_waiting = 0
    for _ in range(20):  # bounded: each Describe waits for a pulse at most
        described = await stub.Describe(worker_pb2.DescribeRequest())
        seen_waiting = max(seen_waiting, described.waiting)
        if seen_waiting or held.done():
            break
    assert seen_waiting == 1
    assert not held.done()
    _, lagging_done = await lagging
    _, held_done = await held
    assert lagging_done.HasField("result_json")
    assert held_done.HasField("result_json")
    after = await stub.Describe(worker_pb2.DescribeRequest())
    assert after.waiting == 0
