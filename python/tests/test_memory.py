"""A long-lived worker's memory stays bounded: calls leave no trace behind, the LM response
cache has a limit, and closed sessions free what they held (issue 12, defects 4 and 10).
A real worker, its real socket and the scripted LM; the worker counts what it holds
(`memory_census`, dspy_connect.testing.memory_census)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from dspy_connect.session import RELEASE_AFTER_DROPS
from dspy_connect.v1 import common_pb2, run_pb2, worker_pb2

from .conftest import WorkerProcess, connect, start_worker
from .expect import poll
from .run_client import run

CENSUS = "dspy_connect.testing.memory_census"
PLUGINS = "dspy_connect.testing.plugins"
INPUT_CHARS = 20_000
CALLS = 200
CACHE_ENTRIES = 50
SESSIONS = RELEASE_AFTER_DROPS  # enough to make the worker collect right away
DISK_LIMIT_MB = 1


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("lm-cache")


@pytest.fixture(scope="module")
def memory_worker(cache_dir: Path) -> Iterator[WorkerProcess]:
    env = {
        "DSPY_CONNECT_LM_CACHE_ENTRIES": str(CACHE_ENTRIES),
        # Where DSPy's default disk cache would go, had the worker kept it.
        "DSPY_CACHEDIR": str(cache_dir / "dspy-default"),
    }
    process = start_worker("--lm", "scripted/echo", "--import", CENSUS, "--import", PLUGINS, "--worker-id", "memory", env=env)
    yield process
    process.stop()


@pytest.fixture
async def stub(memory_worker: WorkerProcess) -> AsyncIterator:
    async with connect(memory_worker) as client:
        yield client


async def census(stub, collect: bool = True) -> dict:
    args = json.dumps({"collect": collect}).encode()
    _, done = await run(stub, run_pb2.RunStart(command=run_pb2.CommandRun(command="memory_census", args_json=args)))
    assert done is not None
    assert not done.HasField("error"), done
    return json.loads(done.result_json)


def call(spec: common_pb2.ModuleSpec, inputs: dict, **kw) -> worker_pb2.CallRequest:
    return worker_pb2.CallRequest(module=spec, inputs_json=json.dumps(inputs).encode(), **kw)


def big_input(i: int) -> str:
    return f"{i} " + "x" * (INPUT_CHARS - len(str(i)) - 1)


def grew(before: dict, after: dict, kind: str) -> int:
    return after["live"].get(kind, 0) - before["live"].get(kind, 0)


async def test_calls_with_large_inputs_leave_no_trace_and_a_bounded_cache(stub, cache_dir: Path):
    predict = common_pb2.ModuleSpec(type="predict", signature="question -> answer")
    await stub.Call(call(predict, {"question": "warm up"}))
    before = await census(stub)
    for i in range(CALLS):  # every input differs: each call misses the cache and adds to it
        await stub.Call(call(predict, {"question": big_input(i)}))
    after = await census(stub)

    # DSPy's global trace kept (module, inputs, prediction) for the last 10,000 calls.
    assert after["trace"] == 0
    assert grew(before, after, "Prediction") <= 2
    # The response cache keeps at most its limit, and nothing on disk unless asked.
    assert after["lm_cache"]["memory_max_entries"] == CACHE_ENTRIES
    assert after["lm_cache"]["memory_entries"] <= CACHE_ENTRIES
    assert grew(before, after, "ModelResponse") <= CACHE_ENTRIES
    assert after["lm_cache"]["disk"] is False
    assert not (cache_dir / "dspy-default").exists()

    # Still a cache: the same call again is answered from it (a hit reports no usage).
    again = await stub.Call(call(predict, {"question": big_input(CALLS - 1)}))
    assert again.usage.total_tokens == 0


async def test_modules_that_extend_the_trace_still_work(stub):
    """The worker keeps no global trace, but each call and run has one of its own, which
    dspy.Refine and BestOfN extend (they fail without one)."""
    refine = common_pb2.ModuleSpec(type="refine", signature="question -> answer")
    reply = await stub.Call(call(refine, {"question": "hi"}))
    assert json.loads(reply.outputs_json) == {"answer": "answer: hi"}
    start = run_pb2.RunStart(module=run_pb2.ModuleRun(module=refine, inputs_json=b'{"question": "streamed"}'))
    _, done = await run(stub, start)
    assert json.loads(done.result_json) == {"answer": "answer: streamed"}
    assert (await census(stub))["trace"] == 0


async def test_closed_sessions_free_their_modules(stub):
    await stub.Call(call(common_pb2.ModuleSpec(type="chain_of_thought", signature="question -> answer"), {"question": "warm up"}))
    before = await census(stub)
    ids = []
    for i in range(SESSIONS):
        session = await stub.CreateSession(worker_pb2.CreateSessionRequest(lm=common_pb2.LmConfig(model="scripted/echo")))
        ids.append(session.session_id)
        # A signature of its own per session, as an app with per-user instructions has.
        spec = common_pb2.ModuleSpec(
            type="chain_of_thought", signature="question -> answer", instructions=f"Answer for user {i}."
        )
        reply = await stub.Call(call(spec, {"question": f"q{i}"}, session_id=session.session_id, module_id="answerer"))
        assert json.loads(reply.outputs_json)["answer"]
    held = await census(stub)
    assert held["live"]["Session"] == SESSIONS
    assert held["live"]["ChainOfThought"] >= SESSIONS

    for session_id in ids:
        assert (await stub.CloseSession(worker_pb2.CloseSessionRequest(session_id=session_id))).closed
    # The worker frees them by itself, idle or not: signature classes are cycles, which
    # only a full collection frees (the census does not collect here).
    # Allowed: the plain signatures in the worker's bounded signature cache (one per session
    # here), and the latest call's ChainOfThought signature, which LiteLLM's logging task holds.
    allowed = SESSIONS + 1
    uncollected = await poll(
        lambda: census(stub, collect=False), lambda c: grew(before, c, "Signature classes") <= allowed, 50, 0.1
    )
    assert grew(before, uncollected, "Signature classes") <= allowed, uncollected["live"]
    after = await census(stub)
    assert after["live"].get("Session", 0) == 0
    # LiteLLM's logging task keeps the context of the latest async completion (one call's);
    # the warm-up call's module stays shared for calls outside sessions (counted in `before`).
    for kind in ("ChainOfThought", "Predict", "Prediction"):
        assert grew(before, after, kind) <= 1, (kind, before["live"], after["live"])
    # Each ChainOfThought made a signature class of its own (with `reasoning`): gone too.
    # The plain signatures stay in the worker's bounded signature cache (512).
    assert grew(before, after, "Signature classes") <= allowed


async def test_disk_cache_stays_under_its_limit(cache_dir: Path):
    disk = cache_dir / "disk"
    env = {"DSPY_CONNECT_LM_CACHE_DISK_MB": str(DISK_LIMIT_MB), "DSPY_CONNECT_LM_CACHE_DIR": str(disk)}
    worker = start_worker("--lm", "scripted/echo", "--import", CENSUS, "--worker-id", "disk", env=env)
    try:
        async with connect(worker) as client:
            predict = common_pb2.ModuleSpec(type="predict", signature="question -> answer")
            for i in range(CALLS // 2):  # ~2.6 MB of distinct responses
                await client.Call(call(predict, {"question": big_input(i)}))
            after = await census(client)
    finally:
        worker.stop()
    cache = after["lm_cache"]
    assert cache["disk"] is True
    assert Path(cache["disk_dir"]) == disk
    # Without a limit they take ~2.6 MB; diskcache culls after each write, so the cache (its
    # SQLite pages and value files, without the write-ahead logs) stays near the limit.
    assert cache["disk_bytes"] <= DISK_LIMIT_MB * 2**20 * 1.5
