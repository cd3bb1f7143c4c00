# pyright: reportUnknownMemberType=false, reportUnknownArgumentType=false, reportUnknownVariableType=false, reportUnknownLambdaType=false
# (DSPy ships no type information: pyright reads much of what it returns as Unknown.)
"""A module over many inputs. Each item ends as item-complete or item-error; one bad item
never fails the batch. Items run on a thread pool of `concurrency` threads."""

from __future__ import annotations

import contextvars
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any

import dspy

from .. import jsonio, warmup
from ..cancel import RunCancelled
from ..errors import InvalidArgument, WorkerError, short_cause
from ..lm import adapter_for, build_lm
from ..module_io import outputs_of, usage_of, validate_inputs
from ..modules import build_module
from ..run.context import RunContext
from ..run.outcome import RunOutcome
from ..run.stats import STATS
from ..v1 import common_pb2, run_pb2

MAX_CONCURRENCY = 64
# An item's (outputs, error, usage): outputs and usage when it succeeded, else the error.
ItemOutcome = tuple[Any, common_pb2.ErrorDetail | None, common_pb2.Usage | None]
DEFAULT_CONCURRENCY = 4


def run_batch(run: RunContext, op: run_pb2.BatchRun) -> RunOutcome:
    warmup.wait()
    items = jsonio.as_array(jsonio.loads(op.items_json, "items_json") if op.items_json else [])
    if items is None:
        raise InvalidArgument("items_json must be a JSON array of input objects")
    module, signature = build_module(op.module)
    settings = run.lm_settings
    lm = build_lm(settings)
    adapter = adapter_for(settings)
    callbacks = [*dspy.settings.callbacks, run.callback()]
    usage = common_pb2.Usage()
    total, failed, completed = len(items), 0, 0

    def one(index: int) -> ItemOutcome:
        run.check()
        item = items[index]
        try:
            values = validate_inputs(signature, _input_object(index, item))
            with STATS.busy(), dspy.context(lm=lm, adapter=adapter, track_usage=True, callbacks=callbacks):
                prediction = module(**values)
            return outputs_of(prediction), None, usage_of(prediction)
        except WorkerError as exc:
            return None, common_pb2.ErrorDetail(code=exc.code.value[0], message=exc.message, cause=type(exc).__name__), None
        except Exception as exc:  # the LM or DSPy failed on this item
            return None, common_pb2.ErrorDetail(code=13, message=short_cause(exc), cause=type(exc).__name__), None

    def report(index: int, outputs: Any, error: common_pb2.ErrorDetail | None, used: common_pb2.Usage | None) -> None:
        nonlocal failed, completed
        if used is not None:
            _add(usage, used)
        completed += 1
        failed += error is not None
        run.item(index, items[index], outputs, error)
        run.progress(completed, total, failed)

    concurrency = max(1, min(op.concurrency or DEFAULT_CONCURRENCY, MAX_CONCURRENCY, total or 1))
    pending: dict[Future[ItemOutcome], int] = {}
    done_early: dict[int, ItemOutcome] = {}
    next_to_report = 0
    with ThreadPoolExecutor(concurrency, thread_name_prefix="dspy-batch") as pool:
        stop = run.on_cancel(lambda: [f.cancel() for f in list(pending)])
        try:
            for index in range(total):
                pending[pool.submit(contextvars.copy_context().run, one, index)] = index
            while pending:
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    index = pending.pop(future)
                    run.check()
                    outcome = future.result()
                    if not op.ordered:
                        report(index, *outcome)
                        continue
                    done_early[index] = outcome
                    while next_to_report in done_early:
                        report(next_to_report, *done_early.pop(next_to_report))
                        next_to_report += 1
        except RunCancelled:
            for future in pending:
                future.cancel()
            raise
        finally:
            stop()
    return RunOutcome({"total": total, "completed": completed, "failed": failed}, usage)


def _input_object(index: int, item: Any) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise InvalidArgument(f"item {index} must be a JSON object, got {type(item).__name__}")
    return item


def _add(total: common_pb2.Usage, more: common_pb2.Usage) -> None:
    total.prompt_tokens += more.prompt_tokens
    total.completion_tokens += more.completion_tokens
    total.total_tokens += more.total_tokens
