"""Optimizer progress on the scripted LM, over a real worker: every optimizer reports its
scores on the 0-1 scale, `trial` events with a real `total`, and a final score and trial count."""

from __future__ import annotations

import json

from dspy_connect.v1 import common_pb2, run_pb2

from .run_client import run

TRAINSET = [{"question": q, "answer": f"answer: {q}"} for q in ("a", "b", "c", "d")]


def optimize_start(optimizer: str, config: dict) -> run_pb2.RunStart:
    return run_pb2.RunStart(
        optimize=run_pb2.OptimizeRun(
            program=common_pb2.ModuleSpec(type="predict", signature="question -> answer"),
            trainset_json=json.dumps(TRAINSET).encode(),
            valset_json=json.dumps(TRAINSET[:2]).encode() if optimizer == "miprov2" else b"",
            metric="exact_match",
            optimizer=optimizer,
            optimizer_config_json=json.dumps(config).encode(),
        )
    )


async def optimize(stub, optimizer: str, config: dict) -> tuple[list[run_pb2.TrialEvent], dict]:
    events, done = await run(stub, optimize_start(optimizer, config))
    assert not done.HasField("error"), done.error.message
    return [e.trial for e in events if e.WhichOneof("kind") == "trial"], json.loads(done.result_json)


def assert_consistent(trials: list[run_pb2.TrialEvent], result: dict) -> None:
    scored = [t for t in trials if t.HasField("score")]
    assert scored, "no trial carried a score"
    assert all(0 <= t.score <= 1 for t in scored), [(t.kind, t.score) for t in scored]
    evaluations = [t for t in trials if t.kind == "trial"]
    assert evaluations, "no evaluation was reported"
    assert [t.trial for t in evaluations] == list(range(1, len(evaluations) + 1))
    assert all(0 < t.trial <= t.total for t in trials), [(t.kind, t.trial, t.total) for t in trials]
    assert isinstance(result["score"], float)
    assert 0 <= result["score"] <= 1
    assert result["trials"] == len(evaluations)
    assert trials[-1].kind == "best"
    assert trials[-1].score == result["score"]


async def test_bootstrap_few_shot_reports_a_final_score_on_the_0_1_scale(stub):
    trials, result = await optimize(stub, "bootstrap_few_shot", {"max_bootstrapped_demos": 2, "max_labeled_demos": 0})
    assert_consistent(trials, result)
    bootstraps = [t for t in trials if t.kind == "bootstrap"]
    assert [t.trial for t in bootstraps] == [1, 2]
    assert {t.total for t in bootstraps} == {len(TRAINSET)}
    assert result["score"] == 1.0  # the echo LM answers every question as labelled
    assert result["trials"] == 1


async def test_miprov2_scores_on_the_same_scale_with_its_planned_total(stub):
    num_trials = 2
    config = {
        "auto": None,
        "num_candidates": 2,
        "num_trials": num_trials,
        "max_bootstrapped_demos": 1,
        "max_labeled_demos": 0,
        "num_threads": 1,
        "minibatch": False,
        "program_aware_proposer": False,
        "data_aware_proposer": False,
        "tip_aware_proposer": False,
        "fewshot_aware_proposer": False,
    }
    trials, result = await optimize(stub, "miprov2", config)
    assert_consistent(trials, result)
    evaluations = [t for t in trials if t.kind == "trial"]
    assert {t.total for t in evaluations} == {num_trials + 1}  # the default program, then each trial
    assert result["score"] == 1.0
