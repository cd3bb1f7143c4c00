# pyright: reportUnknownMemberType=false, reportUnknownArgumentType=false, reportUnknownVariableType=false, reportUnknownLambdaType=false
# (DSPy ships no type information: pyright reads much of what it returns as Unknown.)
"""Compiles a program with a DSPy optimizer and reports its progress as trial events.

Only named optimizers and metrics run, with allowlisted settings: no client code executes.
The result holds the compiled program's state (DSPy `dump_state()`, JSON, no pickle),
which a later call loads through `ModuleSpec.state_json`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import dspy

from .. import jsonio, warmup
from ..errors import InvalidArgument, cut, echo
from ..lm import adapter_for, build_lm
from ..metrics import get_metric
from ..module_io import validate_inputs
from ..modules import build_module
from ..run.context import RunContext
from ..run.outcome import RunOutcome
from ..run.stats import STATS
from ..v1 import run_pb2
from .optimize_plan import plan_mipro
from .optimize_progress import OptimizeProgress, to_unit_scale


@dataclass(frozen=True)
class OptimizerKind:
    build: Callable[..., Any]  # build(metric, **init settings) -> the DSPy optimizer
    init_keys: frozenset[str]
    compile_keys: frozenset[str]
    takes_valset: bool
    # Tells progress how many evaluations the optimizer will run, once it knows.
    plan: Callable[[Any, OptimizeProgress], None] | None = None


OPTIMIZERS = {
    "bootstrap_few_shot": OptimizerKind(
        lambda metric, **settings: dspy.BootstrapFewShot(metric=metric, **settings),
        frozenset({"metric_threshold", "max_bootstrapped_demos", "max_labeled_demos", "max_rounds", "max_errors"}),
        frozenset(),
        False,
    ),
    "miprov2": OptimizerKind(
        lambda metric, **settings: dspy.MIPROv2(metric=metric, **settings),
        frozenset(
            {
                "auto",
                "num_candidates",
                "max_bootstrapped_demos",
                "max_labeled_demos",
                "num_threads",
                "max_errors",
                "seed",
                "init_temperature",
                "metric_threshold",
            }
        ),
        frozenset(
            {
                "num_trials",
                "minibatch",
                "minibatch_size",
                "minibatch_full_eval_steps",
                "program_aware_proposer",
                "data_aware_proposer",
                "view_data_batch_size",
                "tip_aware_proposer",
                "fewshot_aware_proposer",
            }
        ),
        True,
        plan_mipro,
    ),
}


def run_optimize(run: RunContext, op: run_pb2.OptimizeRun) -> RunOutcome:
    kind = OPTIMIZERS.get(op.optimizer)
    if kind is None:
        raise InvalidArgument(f"unknown optimizer {echo(op.optimizer)}; this worker has {sorted(OPTIMIZERS)}")
    metric = get_metric(op.metric)
    config = jsonio.loads_object(op.optimizer_config_json, "optimizer_config_json")
    unknown = sorted(set(config) - kind.init_keys - kind.compile_keys)
    if unknown:
        raise InvalidArgument(
            f"unknown {op.optimizer} setting(s) {echo(unknown)}; allowed: {sorted(kind.init_keys | kind.compile_keys)}"
        )
    warmup.wait()
    program, signature = build_module(op.program)
    trainset = _examples(op.trainset_json, "trainset_json", signature)
    valset = _examples(op.valset_json, "valset_json", signature) if op.valset_json else None
    if not trainset:
        raise InvalidArgument("trainset_json must hold at least one example")

    progress = OptimizeProgress(run, trainset_size=len(trainset))
    settings = run.lm_settings
    callbacks = [*dspy.settings.callbacks, run.callback(), progress]
    with STATS.busy(), dspy.context(lm=build_lm(settings), adapter=adapter_for(settings), callbacks=callbacks):
        optimizer = kind.build(progress.wrap(metric), **{k: v for k, v in config.items() if k in kind.init_keys})
        if kind.plan is not None:
            kind.plan(optimizer, progress)
        compile_kwargs = {k: v for k, v in config.items() if k in kind.compile_keys}
        if kind.takes_valset and valset is not None:
            compile_kwargs["valset"] = valset
        try:
            compiled = optimizer.compile(program, trainset=trainset, **compile_kwargs)
        except (TypeError, ValueError) as exc:
            raise InvalidArgument(f"{op.optimizer} rejected its settings or data: {cut(str(exc), 300)}") from None
        score = to_unit_scale(getattr(compiled, "score", None))
        if score is None:
            # The optimizer scored nothing (BootstrapFewShot): one evaluation gives every
            # optimizer a final score on the same scale.
            progress.planned_evaluations = progress.evaluations + 1
            score = _evaluate(compiled, valset or trainset, metric)

    for rank, candidate in enumerate(getattr(compiled, "candidate_programs", None) or []):
        run.trial("candidate", rank + 1, progress.evaluations, to_unit_scale(candidate.get("score")), {"rank": rank + 1})
    run.trial("best", progress.evaluations, progress.evaluations, score, {})
    state = compiled.dump_state()
    return RunOutcome(
        {
            "optimizer": op.optimizer,
            "metric": op.metric,
            "score": score,
            "trials": progress.evaluations,
            "state": jsonio.loads(jsonio.dumps(state), "state"),
        }
    )


def _evaluate(program: Any, devset: list[dspy.Example], metric: Any) -> float | None:
    evaluate = dspy.Evaluate(devset=devset, metric=metric, num_threads=1, display_progress=False)
    return to_unit_scale(evaluate(program).score)


def _examples(data: bytes, what: str, signature: type[dspy.Signature]) -> list[dspy.Example]:
    rows = jsonio.as_objects(jsonio.loads(data, what))
    if rows is None:
        raise InvalidArgument(f"{what} must be a JSON array of objects")
    inputs = list(signature.input_fields)
    examples: list[dspy.Example] = []
    for i, row in enumerate(rows):
        missing = [f for f in signature.output_fields if f not in row and f != "reasoning"]
        if len(missing) == len([f for f in signature.output_fields if f != "reasoning"]):
            raise InvalidArgument(f"{what}[{i}] has no label: give at least one of {echo(missing, 300)}")
        validate_inputs(signature, {k: v for k, v in row.items() if k in inputs})
        examples.append(dspy.Example(**row).with_inputs(*inputs))
    return examples
