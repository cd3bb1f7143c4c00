"""Pipeline definitions: the contract's `PipelineDefinition` message (pipeline.proto),
validated in full and compiled into steps with their DSPy modules built. Compiled once
(kept in the session), run many times. Every error is an InvalidArgument that names the
step's path. The bounds are the contract's (LIMITS); the message's shape is checked by
protobuf itself, and what it cannot say (names, references, types between steps, which
fields a kind needs) here.

A nested pipeline sees its parent's state and adds what its steps write.
"""

from __future__ import annotations

import re
import typing
from dataclasses import dataclass, field
from typing import Any

import dspy
from google.protobuf import json_format
from google.protobuf.message import Message
from google.protobuf.unknown_fields import UnknownFieldSet

from ..errors import InvalidArgument, echo
from ..module_io import accepts_none, validate_values
from ..modules import build_module
from ..signature import parse_type, type_name
from ..v1 import common_pb2, pipeline_pb2
from .aggregators import Aggregator, compile_aggregator
from .conditions import Condition, compile_condition
from .limits import LIMITS
from .refs import Ref, check_name, parse_ref, ref_text
from .types_check import compatible, item_type

MODULE_KINDS = ("predict", "chain_of_thought", "react", "module")
STEP_KINDS = (*MODULE_KINDS, "branch", "parallel", "map", "pipeline")
_STEP_NAME = re.compile(LIMITS.step_name_pattern)
_Mode = pipeline_pb2.ErrorPolicy.Mode
_POLICIES = {
    _Mode.MODE_UNSPECIFIED: "fail_fast",
    _Mode.MODE_FAIL_FAST: "fail_fast",
    _Mode.MODE_CONTINUE: "continue",
    _Mode.MODE_RETRY: "retry",
}
# Output fields a module adds beyond its signature's.
_EXTRA_OUTPUTS: dict[str, dict[str, Any]] = {"chain_of_thought": {"reasoning": str}, "react": {"trajectory": dict}}
# What an aggregator writes into `into` (majority, first and best pass a branch's value on).
_AGGREGATE_TYPES: dict[str, Any] = {"concat": list, "merge": dict}


@dataclass(frozen=True)
class ErrorPolicy:
    mode: str = "fail_fast"
    retries: int = 0


@dataclass
class Step:
    name: str
    kind: str
    policy: ErrorPolicy


@dataclass
class ModuleStep(Step):
    module: dspy.Module
    signature: type[dspy.Signature]
    inputs: dict[str, Ref]
    outputs: dict[str, str]
    output_types: dict[str, Any]
    tools: list[str]


@dataclass
class BranchStep(Step):
    condition: Condition
    condition_json: Any
    then: Pipeline
    otherwise: Pipeline | None


@dataclass
class ParallelStep(Step):
    branches: list[Pipeline]
    aggregator: Aggregator


@dataclass
class MapStep(Step):
    over: Ref
    item: str
    pipeline: Pipeline
    into: str
    select: str | None
    concurrency: int


@dataclass
class SubPipelineStep(Step):
    pipeline: Pipeline


@dataclass
class Pipeline:
    name: str
    inputs: dict[str, Any]
    steps: list[Step]
    # What its steps write, with types: checked against later steps of the parent.
    writes: dict[str, Any] = field(default_factory=dict[str, Any])

    def validate_inputs(self, values: dict[str, Any]) -> dict[str, Any]:
        """The run's inputs against the pipeline's declared inputs: names, presence, types."""
        unknown = sorted(set(values) - set(self.inputs))
        if unknown:
            raise InvalidArgument(
                f"unknown pipeline input(s) {echo(unknown)}; pipeline {self.name!r} takes {sorted(self.inputs)}"
            )
        return validate_values(self.inputs, values, "pipeline input")


def compile_pipeline(definition: pipeline_pb2.PipelineDefinition) -> Pipeline:
    """Validates and compiles a definition; InvalidArgument on anything wrong."""
    if definition.ByteSize() > LIMITS.max_definition_bytes:
        raise InvalidArgument(f"the pipeline definition is larger than {LIMITS.max_definition_bytes} bytes")
    return _Compiler().pipeline(definition, "", {}, 0)


class _Compiler:
    def __init__(self) -> None:
        self.steps_left = LIMITS.max_steps

    def pipeline(self, node: pipeline_pb2.PipelineDefinition, path: str, available: dict[str, Any], depth: int) -> Pipeline:
        where = f"pipeline {path!r}" if path else "pipeline"
        if depth > LIMITS.max_nesting:
            raise InvalidArgument(f"{where}: pipelines are nested deeper than {LIMITS.max_nesting} levels")
        _refuse_unknown_fields(node, where)
        name = node.name or "pipeline"
        if not _STEP_NAME.fullmatch(name):
            raise InvalidArgument(f"{where}: name {echo(name)} must be {LIMITS.step_name_rule}")
        inputs = self._declared_inputs(node.inputs, where, available, depth)
        scope = {**available, **inputs}
        if not node.steps:
            raise InvalidArgument(f"{where}: `steps` must be a non-empty list")
        steps: list[Step] = []
        writes: dict[str, Any] = {}
        names: set[str] = set()
        for index, step_node in enumerate(node.steps):
            self.steps_left -= 1
            if self.steps_left < 0:
                raise InvalidArgument(f"the pipeline has more than {LIMITS.max_steps} steps in all")
            step, written = self.step(step_node, index, path, scope, depth, names)
            steps.append(step)
            scope.update(written)
            writes.update(written)
        return Pipeline(name, inputs, steps, writes)

    def _declared_inputs(
        self, node: typing.Mapping[str, str], where: str, available: dict[str, Any], depth: int
    ) -> dict[str, Any]:
        inputs: dict[str, Any] = {}
        for name, type_text in sorted(node.items()):  # a proto map has no order: sorted, so errors are stable
            check_name(name, where)
            try:
                annotation = parse_type(type_text) if type_text.strip() else str
            except InvalidArgument as exc:
                raise InvalidArgument(f"{where}: {exc.message}") from None
            if depth > 0:
                # A nested pipeline's inputs come from its parent's state.
                if name not in available:
                    raise InvalidArgument(f"{where}: input {echo(name)} is not in the parent pipeline's state at this point")
                _check_types(available[name], annotation, f"{where}: input {echo(name)}")
            inputs[name] = annotation
        return inputs

    def step(
        self, node: pipeline_pb2.PipelineStep, index: int, parent: str, scope: dict[str, Any], depth: int, names: set[str]
    ) -> tuple[Step, dict[str, Any]]:
        kind = node.WhichOneof("kind")
        if kind is None:
            raise InvalidArgument(f"step {index} of pipeline {parent!r}: a step needs a kind, one of {list(STEP_KINDS)}")
        name = node.name or f"{kind}_{index}"
        if not _STEP_NAME.fullmatch(name):
            raise InvalidArgument(f"step {index} of pipeline {parent!r}: name {echo(name)} must be {LIMITS.step_name_rule}")
        if name in names:
            raise InvalidArgument(f"step {index} of pipeline {parent!r}: the name {echo(name)} is used twice")
        names.add(name)
        path = f"{parent}/{name}" if parent else name
        where = f"step {path!r}"
        _refuse_unknown_fields(node, where)
        policy = _policy(node, where)
        if kind in MODULE_KINDS:
            return self.module_step(getattr(node, kind), name, kind, policy, where, scope)
        if kind == "branch":
            return self.branch_step(node.branch, name, policy, where, path, scope, depth)
        if kind == "parallel":
            return self.parallel_step(node.parallel, name, policy, where, path, scope, depth)
        if kind == "map":
            return self.map_step(node.map, name, policy, where, path, scope, depth)
        sub = self.pipeline(node.pipeline.pipeline, path, scope, depth + 1)
        return SubPipelineStep(name, "pipeline", policy, sub), sub.writes

    def module_step(
        self, node: pipeline_pb2.ModuleStep, name: str, kind: str, policy: ErrorPolicy, where: str, scope: dict[str, Any]
    ) -> tuple[Step, dict[str, Any]]:
        spec = common_pb2.ModuleSpec()
        spec.CopyFrom(node.module)
        if kind == "module":
            if not spec.type:
                raise InvalidArgument(f"{where}: a module step needs `module.type`, the registered module type")
        elif spec.type not in ("", kind):
            raise InvalidArgument(f"{where}: `module.type` of a {kind} step is {kind!r} or empty, not {echo(spec.type)}")
        else:
            spec.type = kind
        if not spec.signature:
            raise InvalidArgument(f"{where}: `signature` must be a non-empty string")
        if not all(spec.tools):
            raise InvalidArgument(f"{where}: `tools` must be a list of tool names")
        try:
            module, signature = build_module(spec)
        except InvalidArgument as exc:
            raise InvalidArgument(f"{where}: {exc.message}") from None
        inputs = dict(sorted(node.inputs.items()))
        outputs = dict(sorted(node.outputs.items()))
        refs: dict[str, Ref] = {}
        for field_name in inputs:
            if field_name not in signature.input_fields:
                raise InvalidArgument(
                    f"{where}: `inputs` maps {echo(field_name)}, which is not an input field of {echo(spec.signature)}"
                )
        for field_name, info in signature.input_fields.items():
            ref = parse_ref(inputs.get(field_name, field_name), where)
            refs[field_name] = ref
            root = str(ref[0])
            if root not in scope:
                if field_name not in inputs and accepts_none(info.annotation):
                    continue
                read = echo(ref_text(ref))
                raise InvalidArgument(
                    f"{where}: input {echo(field_name)} reads {read}, which is neither a pipeline input nor written"
                    " by an earlier step"
                )
            if len(ref) == 1:
                _check_types(scope[root], info.annotation, f"{where}: input {echo(field_name)} (from {echo(root)})")
        produced = {n: f.annotation for n, f in signature.output_fields.items()} | _EXTRA_OUTPUTS.get(spec.type, {})
        written: dict[str, Any] = {}
        for field_name in outputs:
            if field_name not in produced:
                raise InvalidArgument(
                    f"{where}: `outputs` maps {echo(field_name)}, which is not an output of {echo(spec.signature)}"
                )
        for field_name, annotation in produced.items():
            written[check_name(outputs.get(field_name, field_name), where)] = annotation
        step = ModuleStep(name, kind, policy, module, signature, refs, outputs, produced, list(spec.tools))
        return step, written

    def branch_step(
        self,
        node: pipeline_pb2.BranchStep,
        name: str,
        policy: ErrorPolicy,
        where: str,
        path: str,
        scope: dict[str, Any],
        depth: int,
    ) -> tuple[Step, dict[str, Any]]:
        condition = compile_condition(node.condition, where)
        unknown = sorted(condition.refs - set(scope))
        if unknown:
            raise InvalidArgument(f"{where}: the condition reads {unknown}, which the pipeline does not hold at this point")
        then = self.pipeline(node.if_true, f"{path}/then", scope, depth + 1)
        otherwise = self.pipeline(node.if_false, f"{path}/else", scope, depth + 1) if node.HasField("if_false") else None
        # Only what both sides write is surely there afterwards.
        written = _common([then.writes, otherwise.writes if otherwise else {}])
        # Branch events carry the condition as sent, in protobuf JSON form.
        shown = json_format.MessageToDict(node.condition)
        return BranchStep(name, "branch", policy, condition, shown, then, otherwise), written

    def parallel_step(
        self,
        node: pipeline_pb2.ParallelStep,
        name: str,
        policy: ErrorPolicy,
        where: str,
        path: str,
        scope: dict[str, Any],
        depth: int,
    ) -> tuple[Step, dict[str, Any]]:
        if not 1 <= len(node.branches) <= LIMITS.max_branches:
            raise InvalidArgument(f"{where}: `branches` must be a list of 1..{LIMITS.max_branches} pipelines")
        branches = [self.pipeline(b, f"{path}/{i}", scope, depth + 1) for i, b in enumerate(node.branches)]
        aggregator = compile_aggregator(node.aggregate, where)
        produced: dict[str, Any] = {}
        for branch in branches:
            produced.update(branch.writes)
        for read in aggregator.reads():
            if read not in produced:
                raise InvalidArgument(f"{where}: the {aggregator.kind} aggregator reads {echo(read)}, which no branch writes")
        if aggregator.into:
            written = {aggregator.into: _AGGREGATE_TYPES.get(aggregator.kind, Any)}
            if aggregator.kind == "concat" and aggregator.separator is not None:
                written[aggregator.into] = str
        else:
            written = _common([b.writes for b in branches])
        return ParallelStep(name, "parallel", policy, branches, aggregator), written

    def map_step(
        self,
        node: pipeline_pb2.MapStep,
        name: str,
        policy: ErrorPolicy,
        where: str,
        path: str,
        scope: dict[str, Any],
        depth: int,
    ) -> tuple[Step, dict[str, Any]]:
        over = parse_ref(node.over, where)
        if str(over[0]) not in scope:
            raise InvalidArgument(f"{where}: map reads {echo(ref_text(over))}, which the pipeline does not hold at this point")
        item = check_name(node.item or "item", where)
        element = item_type(scope[str(over[0])]) if len(over) == 1 else Any
        sub = self.pipeline(node.pipeline, f"{path}/*", {**scope, item: element}, depth + 1)
        into = check_name(node.into or "results", where)
        select = node.select or None
        if select is not None:
            check_name(select, where)
            if select not in sub.writes:
                raise InvalidArgument(f"{where}: `select` names {echo(select)}, which the mapped pipeline does not write")
        concurrency = node.concurrency or LIMITS.default_map_concurrency
        if concurrency > LIMITS.max_map_concurrency:
            raise InvalidArgument(f"{where}: `concurrency` must be an integer 1..{LIMITS.max_map_concurrency}")
        element_out = sub.writes.get(select, Any) if select else dict
        written = {into: list[element_out] if element_out is not Any else list}
        return MapStep(name, "map", policy, over, item, sub, into, select, concurrency), written


def _policy(node: pipeline_pb2.PipelineStep, where: str) -> ErrorPolicy:
    mode = _POLICIES.get(node.on_error.mode)
    retries = node.on_error.retries
    if mode is None:
        raise InvalidArgument(f"{where}: unknown `on_error.mode` {node.on_error.mode}")
    if retries > LIMITS.max_retries:
        raise InvalidArgument(f"{where}: `retries` must be an integer 0..{LIMITS.max_retries}")
    if mode == "retry" and retries < 1:
        raise InvalidArgument(f"{where}: on_error MODE_RETRY needs `retries` ≥ 1")
    if mode != "retry" and retries:
        raise InvalidArgument(f"{where}: `retries` applies to on_error MODE_RETRY only")
    return ErrorPolicy(mode, retries)


def _refuse_unknown_fields(node: Message, where: str) -> None:
    """Fields this worker does not know (a newer client's) are refused, not silently dropped.
    Nested pipelines and steps are checked where they are compiled, with their own path."""
    pending = [node]
    while pending:
        message = pending.pop()
        if len(UnknownFieldSet(message)):
            raise InvalidArgument(f"{where}: the definition has fields this worker does not know (a newer client?)")
        for descriptor, value in message.ListFields():
            if descriptor.message_type is None or descriptor.message_type.name in ("PipelineDefinition", "PipelineStep"):
                continue
            if descriptor.message_type.GetOptions().map_entry:
                continue
            values = value if descriptor.is_repeated else [value]
            pending.extend(values)


def _check_types(produced: Any, consumed: Any, where: str) -> None:
    if not compatible(produced, consumed):
        raise InvalidArgument(f"{where}: the pipeline holds {type_name(produced)} there, the step takes {type_name(consumed)}")


def _common(writes: list[dict[str, Any]]) -> dict[str, Any]:
    if not writes:
        return {}
    keys = set(writes[0]).intersection(*writes[1:])
    common: dict[str, Any] = {}
    for key in writes[0]:
        if key in keys:
            types_ = {w[key] for w in writes}
            common[key] = types_.pop() if len(types_) == 1 else typing.Any
    return common
