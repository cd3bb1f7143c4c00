"""The fuzz suite: thousands of generated hostile requests over every RPC, from a raw gRPC
client, against a real worker. Every answer is a typed code (INTERNAL only where the LM or
a command really fails, never UNKNOWN), every Run ends with its `done` or a status, and
the worker still serves afterwards.

Bounded for `pytest` (one round, ~2,100 inputs). More rounds, other seeds:
    DSPY_CONNECT_FUZZ_ROUNDS=20 DSPY_CONNECT_FUZZ_SEED=7 .venv/bin/python -m pytest -q -s tests/test_fuzz.py
DSPY_CONNECT_FUZZ_REPORT=path.json writes the counts as JSON too."""

from __future__ import annotations

import json
import os
import random
import secrets
import string
import time
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2

from dspy_connect.v1 import common_pb2, worker_pb2, worker_pb2_grpc

from .conftest import health_stub, start_worker
from .fuzz_inputs import FuzzCase, Hostile, call_case, cases, run_case
from .fuzz_runner import Fuzzer, Tally

ROUNDS = int(os.environ.get("DSPY_CONNECT_FUZZ_ROUNDS", "1"))
SEED = int(os.environ.get("DSPY_CONNECT_FUZZ_SEED", "12"))
MIN_INPUTS = 2000
# pytest's default timeout (120 s) fits one round with room to spare; more rounds get more.
TIMEOUT_S = 120 + 60 * ROUNDS


@pytest.fixture(scope="module")
def fuzz_worker():
    worker = start_worker("--lm", "scripted/echo", "--import", "dspy_connect.testing.plugins", "--worker-id", "fuzz-w")
    yield worker
    worker.stop()


async def still_serving(channel: grpc.aio.Channel, metadata=None) -> worker_pb2.DescribeResponse:
    """The worker answers health, Describe and a real call after the fuzz."""
    health = health_stub(channel)
    assert (await health.Check(health_pb2.HealthCheckRequest())).status == health_pb2.HealthCheckResponse.SERVING
    stub = worker_pb2_grpc.WorkerServiceStub(channel)
    reply = await stub.Call(
        worker_pb2.CallRequest(
            module=common_pb2.ModuleSpec(type="predict", signature="q -> a"), inputs_json=b'{"q": "still here"}'
        ),
        metadata=metadata,
    )
    assert json.loads(reply.outputs_json) == {"a": "a: still here"}
    return await stub.Describe(worker_pb2.DescribeRequest(), metadata=metadata)


def report(name: str, tally: Tally, extra: dict | None = None) -> None:
    print(f"\n{name} (seed {SEED}, {ROUNDS} round(s))\n{tally.table()}")
    path = os.environ.get("DSPY_CONNECT_FUZZ_REPORT")
    if path:
        entry = {
            "seed": SEED,
            "rounds": ROUNDS,
            "seconds": round(tally.seconds, 1),
            "sent": dict(tally.sent),
            "codes": {f"{rpc} {code}": n for (rpc, code), n in sorted(tally.codes.items())},
            "inner_errors": dict(tally.inner),
            "internal_from_lm": tally.lm_failures,
            "stream_errors_after_done": dict(tally.after_done),
            "violations": tally.violations[:50],
            **(extra or {}),
        }
        existing = json.loads(Path(path).read_text()) if os.path.exists(path) else {}
        with open(path, "w") as out:
            json.dump({**existing, name: entry}, out, indent=2)


@pytest.mark.timeout(TIMEOUT_S)
async def test_fuzz_every_rpc(fuzz_worker):
    async with grpc.aio.insecure_channel(fuzz_worker.address, options=[("grpc.max_receive_message_length", 64 << 20)]) as channel:
        stub = worker_pb2_grpc.WorkerServiceStub(channel)
        before = await stub.Describe(worker_pb2.DescribeRequest())
        sessions = [(await stub.CreateSession(worker_pb2.CreateSessionRequest())).session_id for _ in range(3)]
        fuzzer = Fuzzer(channel)
        tally = await fuzzer.run(list(cases(SEED, ROUNDS, sessions)))
        after = await still_serving(channel)
    assert fuzz_worker.proc.poll() is None, "the worker died"
    report("fuzz", tally, {"rss_mb_before": before.rss_bytes >> 20, "rss_mb_after": after.rss_bytes >> 20})
    assert sum(tally.sent.values()) >= MIN_INPUTS * ROUNDS
    assert set(tally.sent) == {"Describe", "CreateSession", "CloseSession", "Call", "Run", "Health.Check", "Health.Watch"}
    assert not tally.violations, "\n".join(tally.violations[:20])


def auth_cases(rng: random.Random, token: str, count: int) -> list[tuple[FuzzCase, list[tuple[str, str]] | None]]:
    """Requests with missing, wrong, mangled or right bearer tokens."""
    hostile = Hostile(rng)
    printable = string.ascii_letters + string.digits + string.punctuation + " "
    made = []
    for _ in range(count):
        header = rng.choice(
            [
                None,
                "",
                "Bearer",
                "Bearer ",
                f"bearer {token}",
                f"Bearer {token} ",
                f"Bearer {token[:-1]}",
                token,
                f"Basic {token}",
                "Bearer " + "".join(rng.choice(printable) for _ in range(rng.choice([1, 43, 400, 4000]))),
                f"Bearer {token}",
            ]
        )
        metadata = None if header is None else [("authorization", header)]
        rpc = rng.choice(["Describe", "CreateSession", "CloseSession", "Call", "Run", "Health.Check"])
        if rpc == "Run":
            case = run_case(hostile, [])
        elif rpc == "Call":
            case = call_case(hostile, [])
        else:
            case = FuzzCase(
                rpc,
                "token",
                {
                    "Describe": worker_pb2.DescribeRequest(),
                    "Health.Check": health_pb2.HealthCheckRequest(),
                    "CreateSession": worker_pb2.CreateSessionRequest(),
                    "CloseSession": worker_pb2.CloseSessionRequest(session_id="x"),
                }[rpc],
            )
        made.append((case, metadata))
    return made


@pytest.mark.timeout(TIMEOUT_S)
async def test_fuzz_tokens_on_tcp():
    token = secrets.token_urlsafe(32)
    worker = start_worker(
        "--tcp",
        "127.0.0.1:0",
        "--insecure",
        "--lm",
        "scripted/echo",
        "--import",
        "dspy_connect.testing.plugins",
        env={"DSPY_CONNECT_TOKEN": token},
    )
    right = [("authorization", f"Bearer {token}")]
    try:
        async with grpc.aio.insecure_channel(worker.address) as channel:
            tally, wrong, started = Tally(), [], time.perf_counter()
            for case, metadata in auth_cases(random.Random(f"{SEED}/auth"), token, 150 * ROUNDS):
                fuzzer = Fuzzer(channel, metadata)
                fuzzer.tally = tally
                answer = await fuzzer.send(case)
                fuzzer.record(case, answer)
                if metadata != right and not case.rpc.startswith("Health.") and answer.code != "UNAUTHENTICATED":
                    wrong.append(f"{case.rpc} with {metadata!r:.80}: {answer.code} {answer.detail[:100]}")
            tally.seconds = time.perf_counter() - started
            await still_serving(channel, right)
        assert worker.proc.poll() is None
        report("fuzz-tcp-tokens", tally)
        assert not wrong, "\n".join(wrong[:20])
        assert not tally.violations, "\n".join(tally.violations[:20])
    finally:
        worker.stop()
