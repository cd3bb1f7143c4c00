# pyright: basic
# (Being rewritten on the pipeline-contract branch, which brings it to strict; basic until then.)
"""Pipeline definitions: the composer's JSON wire format, validated in full and compiled
into steps with their DSPy modules built. Compiled once (kept in the session), run many
times. Every error is an InvalidArgument that names the step's path.

    {"version": 1, "name": "qa", "inputs": {"question": "str"}, "steps": [step, ...]}

Steps (`name` is optional; `on_error` is "fail_fast" (default), "continue" or "retry"
with `retries`):
    {"kind": "predict" | "chain_of_thought" | "react" | "module", "signature": "q -> a",
     "type": <registered module type, for kind module>, "instructions", "config", "state",
     "tools": [...] (react), "inputs": {input_field: "state.ref"}, "outputs": {output_field: "state_key"}}
    {"kind": "branch", "condition": <conditions.py>, "then": pipeline, "else": pipeline?}
    {"kind": "parallel", "branches": [pipeline, ...], "aggregate": <aggregators.py>}
    {"kind": "map", "over": "items", "as": "item", "pipeline": pipeline, "into": "results",
     "select": "answer"?, "concurrency": 4}
    {"kind": "pipeline", "pipeline": pipeline}              a nested, named sub-pipeline
A nested pipeline is {"name", "inputs", "steps"}; it sees its parent's state and adds
what its steps write.
"""

from __future__ import annotations

import re
import typing
from dataclasses import dataclass, field
from typing import Any

import dspy

from .. import jsonio
from ..errors import InvalidArgument, echo
from ..module_io import accepts_none, validate_values
from ..modules import build_module
from ..signature import parse_type, type_name
from ..v1 import common_pb2
from .aggregators import Aggregator, compile_aggregator
from .conditions import Condition, compile_condition
from .refs import Ref, check_name, parse_ref, ref_text
from .types_check import compatible, item_type

VERSION = 1
MAX_DEFINITION_BYTES = 1 << 20
MAX_STEPS = 256
MAX_NESTING = 8
MAX_BRANCHES = 16
MAX_MAP_CONCURRENCY = 16
DEFAULT_MAP_CONCURRENCY = 4
MAX_RETRIES = 10
MODULE_KINDS = ("predict", "chain_of_thought", "react", "module")
STEP_KINDS = (*MODULE_KINDS, "branch", "parallel", "map", "pipeline")
POLICIES = ("fail_fast", "continue", "retry")
_STEP_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
# Output fields a module adds beyond its signature's.
_EXTRA_OUTPUTS: dict[str, dict[str, Any]] = {"chain_of_thought": {"reasoning": str}, "react": {"trajectory": dict}}
# What an aggregator writes into `into` (majority, first and best pass a branch's value on).
_AGGREGATE_TYPES: dict[str, Any] = {"concat": list, "merge": dict}
_COMMON_KEYS = {"kind", "name", "on_error", "retries"}
_KEYS: dict[str, set[str]] = {
    "module": {"type", "signature", "instructions", "config", "state", "tools", "inputs", "outputs"},
    "branch": {"condition", "then", "else"},
    "parallel": {"branches", "aggregate"},
    "map": {"over", "as", "pipeline", "into", "select", "concurrency"},
    "pipeline": {"pipeline"},
}


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
    writes: dict[str, Any] = field(default_factory=dict)

    def validate_inputs(self, values: dict[str, Any]) -> dict[str, Any]:
        """The run's inputs against the pipeline's declared inputs: names, presence, types."""
        unknown = sorted(set(values) - set(self.inputs))
        if unknown:
            raise InvalidArgument(
                f"unknown pipeline input(s) {echo(unknown)}; pipeline {self.name!r} takes {sorted(self.inputs)}"
            )
        return validate_values(self.inputs, values, "pipeline input")


def compile_pipeline(data: bytes) -> Pipeline:
    """Parses, validates and compiles a definition; InvalidArgument on anything wrong."""
    if len(data) > MAX_DEFINITION_BYTES:
        raise InvalidArgument(f"the pipeline definition is larger than {MAX_DEFINITION_BYTES} bytes")
    if not data:
        raise InvalidArgument("definition_json is empty: a pipeline run needs a definition (or a pipeline_id the session holds)")
    node = jsonio.loads(data, "definition_json")
    if not isinstance(node, dict):
        raise InvalidArgument("definition_json must be a JSON object")
    if node.get("version") != VERSION:
        raise InvalidArgument(
            f"unsupported pipeline definition version {echo(node.get('version'))}; this worker reads version {VERSION}"
        )
    return _Compiler().pipeline({k: v for k, v in node.items() if k != "version"}, "", {}, 0)


class _Compiler:
    def __init__(self) -> None:
        self.steps_left = MAX_STEPS

    def pipeline(self, node: Any, path: str, available: dict[str, Any], depth: int) -> Pipeline:
        where = f"pipeline {path!r}" if path else "pipeline"
        if depth > MAX_NESTING:
            raise InvalidArgument(f"{where}: pipelines are nested deeper than {MAX_NESTING} levels")
        if not isinstance(node, dict):
            raise InvalidArgument(f"{where}: a pipeline must be an object with `steps`")
        unknown = sorted(set(node) - {"name", "inputs", "steps"})
        if unknown:
            raise InvalidArgument(f"{where}: unknown key(s) {unknown}")
        name = node.get("name", "pipeline")
        if not isinstance(name, str) or not _STEP_NAME.fullmatch(name):
            raise InvalidArgument(f"{where}: name {echo(name)} must be 1..64 letters, digits, '_', '-' or '.'")
        inputs = self._declared_inputs(node.get("inputs", {}), where, available, depth)
        scope = {**available, **inputs}
        steps_node = node.get("steps")
        if not isinstance(steps_node, list) or not steps_node:
            raise InvalidArgument(f"{where}: `steps` must be a non-empty list")
        steps: list[Step] = []
        writes: dict[str, Any] = {}
        names: set[str] = set()
        for index, step_node in enumerate(steps_node):
            self.steps_left -= 1
            if self.steps_left < 0:
                raise InvalidArgument(f"the pipeline has more than {MAX_STEPS} steps in all")
            step, written = self.step(step_node, index, path, scope, depth, names)
            steps.append(step)
            scope.update(written)
            writes.update(written)
        return Pipeline(name, inputs, steps, writes)

    def _declared_inputs(self, node: Any, where: str, available: dict[str, Any], depth: int) -> dict[str, Any]:
        if not isinstance(node, dict):
            raise InvalidArgument(f"{where}: `inputs` must be an object of field name to type")
        inputs: dict[str, Any] = {}
        for name, type_text in node.items():
            check_name(name, where)
            if not isinstance(type_text, str):
                raise InvalidArgument(f"{where}: the type of input {echo(name)} must be a string such as 'str' or 'list[int]'")
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
        self, node: Any, index: int, parent: str, scope: dict[str, Any], depth: int, names: set[str]
    ) -> tuple[Step, dict[str, Any]]:
        if not isinstance(node, dict):
            raise InvalidArgument(f"step {index} of pipeline {parent!r}: a step must be an object with a `kind`")
        kind = node.get("kind")
        if kind not in STEP_KINDS:
            raise InvalidArgument(
                f"step {index} of pipeline {parent!r}: unknown step kind {echo(kind)}; expected one of {list(STEP_KINDS)}"
            )
        name = node.get("name", f"{kind}_{index}")
        if not isinstance(name, str) or not _STEP_NAME.fullmatch(name):
            raise InvalidArgument(
                f"step {index} of pipeline {parent!r}: name {echo(name)} must be 1..64 letters, digits, '_', '-' or '.'"
            )
        if name in names:
            raise InvalidArgument(f"step {index} of pipeline {parent!r}: the name {echo(name)} is used twice")
        names.add(name)
        path = f"{parent}/{name}" if parent else name
        where = f"step {path!r}"
        allowed = _COMMON_KEYS | _KEYS["module" if kind in MODULE_KINDS else kind]
        unknown = sorted(set(node) - allowed)
        if unknown:
            raise InvalidArgument(f"{where}: unknown key(s) {unknown} for a {kind} step")
        policy = _policy(node, where)
        if kind in MODULE_KINDS:
            return self.module_step(node, name, kind, policy, where, scope)
        if kind == "branch":
            return self.branch_step(node, name, policy, where, path, scope, depth)
        if kind == "parallel":
            return self.parallel_step(node, name, policy, where, path, scope, depth)
        if kind == "map":
            return self.map_step(node, name, policy, where, path, scope, depth)
        sub = self.pipeline(node.get("pipeline"), path, scope, depth + 1)
        return SubPipelineStep(name, "pipeline", policy, sub), sub.writes

    def module_step(
        self, node: dict[str, Any], name: str, kind: str, policy: ErrorPolicy, where: str, scope: dict[str, Any]
    ) -> tuple[Step, dict[str, Any]]:
        module_type = node.get("type") if kind == "module" else kind
        if not isinstance(module_type, str) or not module_type:
            raise InvalidArgument(f"{where}: a module step needs `type`, the registered module type")
        tools = node.get("tools", [])
        if not isinstance(tools, list) or not all(isinstance(t, str) and t for t in tools):
            raise InvalidArgument(f"{where}: `tools` must be a list of tool names")
        spec = common_pb2.ModuleSpec(
            type=module_type,
            signature=_text(node.get("signature"), "signature", where),
            instructions=_text(node.get("instructions", ""), "instructions", where, allow_empty=True),
            config_json=jsonio.dumps(node["config"]) if node.get("config") is not None else b"",
            state_json=jsonio.dumps(node["state"]) if node.get("state") is not None else b"",
            tools=tools,
        )
        try:
            module, signature = build_module(spec)
        except InvalidArgument as exc:
            raise InvalidArgument(f"{where}: {exc.message}") from None
        inputs = _mapping(node.get("inputs", {}), where, "inputs")
        outputs = _mapping(node.get("outputs", {}), where, "outputs")
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
                raise InvalidArgument(
                    f"{where}: input {echo(field_name)} reads {echo(ref_text(ref))}, "
                    "which is neither a pipeline input nor written by an earlier step"
                )
            if len(ref) == 1:
                _check_types(scope[root], info.annotation, f"{where}: input {echo(field_name)} (from {echo(root)})")
        produced = {n: f.annotation for n, f in signature.output_fields.items()} | _EXTRA_OUTPUTS.get(module_type, {})
        written: dict[str, Any] = {}
        for field_name in outputs:
            if field_name not in produced:
                raise InvalidArgument(
                    f"{where}: `outputs` maps {echo(field_name)}, which is not an output of {echo(spec.signature)}"
                )
        for field_name, annotation in produced.items():
            written[check_name(outputs.get(field_name, field_name), where)] = annotation
        step = ModuleStep(name, kind, policy, module, signature, refs, outputs, produced, list(tools))
        return step, written

    def branch_step(
        self, node: dict[str, Any], name: str, policy: ErrorPolicy, where: str, path: str, scope: dict[str, Any], depth: int
    ) -> tuple[Step, dict[str, Any]]:
        condition = compile_condition(node.get("condition"), where)
        unknown = sorted(condition.refs - set(scope))
        if unknown:
            raise InvalidArgument(f"{where}: the condition reads {unknown}, which the pipeline does not hold at this point")
        then = self.pipeline(node.get("then"), f"{path}/then", scope, depth + 1)
        otherwise = self.pipeline(node["else"], f"{path}/else", scope, depth + 1) if node.get("else") is not None else None
        # Only what both sides write is surely there afterwards.
        written = _common([then.writes, otherwise.writes if otherwise else {}])
        return BranchStep(name, "branch", policy, condition, node.get("condition"), then, otherwise), written

    def parallel_step(
        self, node: dict[str, Any], name: str, policy: ErrorPolicy, where: str, path: str, scope: dict[str, Any], depth: int
    ) -> tuple[Step, dict[str, Any]]:
        branches_node = node.get("branches")
        if not isinstance(branches_node, list) or not 1 <= len(branches_node) <= MAX_BRANCHES:
            raise InvalidArgument(f"{where}: `branches` must be a list of 1..{MAX_BRANCHES} pipelines")
        branches = [self.pipeline(b, f"{path}/{i}", scope, depth + 1) for i, b in enumerate(branches_node)]
        aggregator = compile_aggregator(node.get("aggregate"), where)
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
        self, node: dict[str, Any], name: str, policy: ErrorPolicy, where: str, path: str, scope: dict[str, Any], depth: int
    ) -> tuple[Step, dict[str, Any]]:
        over = parse_ref(node.get("over"), where)
        if str(over[0]) not in scope:
            raise InvalidArgument(f"{where}: map reads {echo(ref_text(over))}, which the pipeline does not hold at this point")
        item = check_name(node.get("as", "item"), where)
        element = item_type(scope[str(over[0])]) if len(over) == 1 else Any
        sub = self.pipeline(node.get("pipeline"), f"{path}/*", {**scope, item: element}, depth + 1)
        into = check_name(node.get("into", "results"), where)
        select = node.get("select")
        if select is not None:
            check_name(select, where)
            if select not in sub.writes:
                raise InvalidArgument(f"{where}: `select` names {echo(select)}, which the mapped pipeline does not write")
        concurrency = node.get("concurrency", DEFAULT_MAP_CONCURRENCY)
        if not isinstance(concurrency, int) or isinstance(concurrency, bool) or not 1 <= concurrency <= MAX_MAP_CONCURRENCY:
            raise InvalidArgument(f"{where}: `concurrency` must be an integer 1..{MAX_MAP_CONCURRENCY}")
        element_out = sub.writes.get(select, Any) if select else dict
        written = {into: list[element_out] if element_out is not Any else list}
        return MapStep(name, "map", policy, over, item, sub, into, select, concurrency), written


def _policy(node: dict[str, Any], where: str) -> ErrorPolicy:
    mode = node.get("on_error", "fail_fast")
    if mode not in POLICIES:
        raise InvalidArgument(f"{where}: `on_error` must be one of {list(POLICIES)}")
    retries = node.get("retries", 0)
    if not isinstance(retries, int) or isinstance(retries, bool) or not 0 <= retries <= MAX_RETRIES:
        raise InvalidArgument(f"{where}: `retries` must be an integer 0..{MAX_RETRIES}")
    if mode == "retry" and retries < 1:
        raise InvalidArgument(f"{where}: on_error 'retry' needs `retries` ≥ 1")
    if mode != "retry" and retries:
        raise InvalidArgument(f"{where}: `retries` applies to on_error 'retry' only")
    return ErrorPolicy(mode, retries)


def _text(value: Any, what: str, where: str, allow_empty: bool = False) -> str:
    if not isinstance(value, str) or (not value and not allow_empty):
        raise InvalidArgument(f"{where}: `{what}` must be a {'string' if allow_empty else 'non-empty string'}")
    return value


def _mapping(node: Any, where: str, what: str) -> dict[str, str]:
    if not isinstance(node, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in node.items()):
        raise InvalidArgument(f"{where}: `{what}` must be an object of field name to field name")
    return node


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
