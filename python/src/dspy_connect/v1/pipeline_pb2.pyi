from dspy_connect.v1 import common_pb2 as _common_pb2
from google.protobuf import descriptor_pb2 as _descriptor_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor
PIPELINE_LIMITS_FIELD_NUMBER: _ClassVar[int]
pipeline_limits: _descriptor.FieldDescriptor

class PipelineDefinition(_message.Message):
    __slots__ = ("name", "inputs", "steps")
    class InputsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    NAME_FIELD_NUMBER: _ClassVar[int]
    INPUTS_FIELD_NUMBER: _ClassVar[int]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    name: str
    inputs: _containers.ScalarMap[str, str]
    steps: _containers.RepeatedCompositeFieldContainer[PipelineStep]
    def __init__(self, name: _Optional[str] = ..., inputs: _Optional[_Mapping[str, str]] = ..., steps: _Optional[_Iterable[_Union[PipelineStep, _Mapping]]] = ...) -> None: ...

class PipelineStep(_message.Message):
    __slots__ = ("name", "on_error", "predict", "chain_of_thought", "react", "module", "branch", "parallel", "map", "pipeline")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ON_ERROR_FIELD_NUMBER: _ClassVar[int]
    PREDICT_FIELD_NUMBER: _ClassVar[int]
    CHAIN_OF_THOUGHT_FIELD_NUMBER: _ClassVar[int]
    REACT_FIELD_NUMBER: _ClassVar[int]
    MODULE_FIELD_NUMBER: _ClassVar[int]
    BRANCH_FIELD_NUMBER: _ClassVar[int]
    PARALLEL_FIELD_NUMBER: _ClassVar[int]
    MAP_FIELD_NUMBER: _ClassVar[int]
    PIPELINE_FIELD_NUMBER: _ClassVar[int]
    name: str
    on_error: ErrorPolicy
    predict: ModuleStep
    chain_of_thought: ModuleStep
    react: ModuleStep
    module: ModuleStep
    branch: BranchStep
    parallel: ParallelStep
    map: MapStep
    pipeline: SubPipelineStep
    def __init__(self, name: _Optional[str] = ..., on_error: _Optional[_Union[ErrorPolicy, _Mapping]] = ..., predict: _Optional[_Union[ModuleStep, _Mapping]] = ..., chain_of_thought: _Optional[_Union[ModuleStep, _Mapping]] = ..., react: _Optional[_Union[ModuleStep, _Mapping]] = ..., module: _Optional[_Union[ModuleStep, _Mapping]] = ..., branch: _Optional[_Union[BranchStep, _Mapping]] = ..., parallel: _Optional[_Union[ParallelStep, _Mapping]] = ..., map: _Optional[_Union[MapStep, _Mapping]] = ..., pipeline: _Optional[_Union[SubPipelineStep, _Mapping]] = ...) -> None: ...

class ErrorPolicy(_message.Message):
    __slots__ = ("mode", "retries")
    class Mode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        MODE_UNSPECIFIED: _ClassVar[ErrorPolicy.Mode]
        MODE_FAIL_FAST: _ClassVar[ErrorPolicy.Mode]
        MODE_CONTINUE: _ClassVar[ErrorPolicy.Mode]
        MODE_RETRY: _ClassVar[ErrorPolicy.Mode]
    MODE_UNSPECIFIED: ErrorPolicy.Mode
    MODE_FAIL_FAST: ErrorPolicy.Mode
    MODE_CONTINUE: ErrorPolicy.Mode
    MODE_RETRY: ErrorPolicy.Mode
    MODE_FIELD_NUMBER: _ClassVar[int]
    RETRIES_FIELD_NUMBER: _ClassVar[int]
    mode: ErrorPolicy.Mode
    retries: int
    def __init__(self, mode: _Optional[_Union[ErrorPolicy.Mode, str]] = ..., retries: _Optional[int] = ...) -> None: ...

class ModuleStep(_message.Message):
    __slots__ = ("module", "inputs", "outputs")
    class InputsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    class OutputsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    MODULE_FIELD_NUMBER: _ClassVar[int]
    INPUTS_FIELD_NUMBER: _ClassVar[int]
    OUTPUTS_FIELD_NUMBER: _ClassVar[int]
    module: _common_pb2.ModuleSpec
    inputs: _containers.ScalarMap[str, str]
    outputs: _containers.ScalarMap[str, str]
    def __init__(self, module: _Optional[_Union[_common_pb2.ModuleSpec, _Mapping]] = ..., inputs: _Optional[_Mapping[str, str]] = ..., outputs: _Optional[_Mapping[str, str]] = ...) -> None: ...

class BranchStep(_message.Message):
    __slots__ = ("condition", "if_true", "if_false")
    CONDITION_FIELD_NUMBER: _ClassVar[int]
    IF_TRUE_FIELD_NUMBER: _ClassVar[int]
    IF_FALSE_FIELD_NUMBER: _ClassVar[int]
    condition: Condition
    if_true: PipelineDefinition
    if_false: PipelineDefinition
    def __init__(self, condition: _Optional[_Union[Condition, _Mapping]] = ..., if_true: _Optional[_Union[PipelineDefinition, _Mapping]] = ..., if_false: _Optional[_Union[PipelineDefinition, _Mapping]] = ...) -> None: ...

class ParallelStep(_message.Message):
    __slots__ = ("branches", "aggregate")
    BRANCHES_FIELD_NUMBER: _ClassVar[int]
    AGGREGATE_FIELD_NUMBER: _ClassVar[int]
    branches: _containers.RepeatedCompositeFieldContainer[PipelineDefinition]
    aggregate: Aggregator
    def __init__(self, branches: _Optional[_Iterable[_Union[PipelineDefinition, _Mapping]]] = ..., aggregate: _Optional[_Union[Aggregator, _Mapping]] = ...) -> None: ...

class MapStep(_message.Message):
    __slots__ = ("over", "item", "pipeline", "into", "select", "concurrency")
    OVER_FIELD_NUMBER: _ClassVar[int]
    ITEM_FIELD_NUMBER: _ClassVar[int]
    PIPELINE_FIELD_NUMBER: _ClassVar[int]
    INTO_FIELD_NUMBER: _ClassVar[int]
    SELECT_FIELD_NUMBER: _ClassVar[int]
    CONCURRENCY_FIELD_NUMBER: _ClassVar[int]
    over: str
    item: str
    pipeline: PipelineDefinition
    into: str
    select: str
    concurrency: int
    def __init__(self, over: _Optional[str] = ..., item: _Optional[str] = ..., pipeline: _Optional[_Union[PipelineDefinition, _Mapping]] = ..., into: _Optional[str] = ..., select: _Optional[str] = ..., concurrency: _Optional[int] = ...) -> None: ...

class SubPipelineStep(_message.Message):
    __slots__ = ("pipeline",)
    PIPELINE_FIELD_NUMBER: _ClassVar[int]
    pipeline: PipelineDefinition
    def __init__(self, pipeline: _Optional[_Union[PipelineDefinition, _Mapping]] = ...) -> None: ...

class Condition(_message.Message):
    __slots__ = ("compare", "all_of", "any_of", "negate", "exists")
    COMPARE_FIELD_NUMBER: _ClassVar[int]
    ALL_OF_FIELD_NUMBER: _ClassVar[int]
    ANY_OF_FIELD_NUMBER: _ClassVar[int]
    NEGATE_FIELD_NUMBER: _ClassVar[int]
    EXISTS_FIELD_NUMBER: _ClassVar[int]
    compare: Comparison
    all_of: ConditionList
    any_of: ConditionList
    negate: Condition
    exists: Operand
    def __init__(self, compare: _Optional[_Union[Comparison, _Mapping]] = ..., all_of: _Optional[_Union[ConditionList, _Mapping]] = ..., any_of: _Optional[_Union[ConditionList, _Mapping]] = ..., negate: _Optional[_Union[Condition, _Mapping]] = ..., exists: _Optional[_Union[Operand, _Mapping]] = ...) -> None: ...

class ConditionList(_message.Message):
    __slots__ = ("conditions",)
    CONDITIONS_FIELD_NUMBER: _ClassVar[int]
    conditions: _containers.RepeatedCompositeFieldContainer[Condition]
    def __init__(self, conditions: _Optional[_Iterable[_Union[Condition, _Mapping]]] = ...) -> None: ...

class Comparison(_message.Message):
    __slots__ = ("op", "left", "right")
    class Op(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        OP_UNSPECIFIED: _ClassVar[Comparison.Op]
        OP_EQ: _ClassVar[Comparison.Op]
        OP_NE: _ClassVar[Comparison.Op]
        OP_GT: _ClassVar[Comparison.Op]
        OP_GTE: _ClassVar[Comparison.Op]
        OP_LT: _ClassVar[Comparison.Op]
        OP_LTE: _ClassVar[Comparison.Op]
        OP_CONTAINS: _ClassVar[Comparison.Op]
    OP_UNSPECIFIED: Comparison.Op
    OP_EQ: Comparison.Op
    OP_NE: Comparison.Op
    OP_GT: Comparison.Op
    OP_GTE: Comparison.Op
    OP_LT: Comparison.Op
    OP_LTE: Comparison.Op
    OP_CONTAINS: Comparison.Op
    OP_FIELD_NUMBER: _ClassVar[int]
    LEFT_FIELD_NUMBER: _ClassVar[int]
    RIGHT_FIELD_NUMBER: _ClassVar[int]
    op: Comparison.Op
    left: Operand
    right: Operand
    def __init__(self, op: _Optional[_Union[Comparison.Op, str]] = ..., left: _Optional[_Union[Operand, _Mapping]] = ..., right: _Optional[_Union[Operand, _Mapping]] = ...) -> None: ...

class Operand(_message.Message):
    __slots__ = ("field", "literal", "length")
    FIELD_FIELD_NUMBER: _ClassVar[int]
    LITERAL_FIELD_NUMBER: _ClassVar[int]
    LENGTH_FIELD_NUMBER: _ClassVar[int]
    field: str
    literal: _struct_pb2.Value
    length: Operand
    def __init__(self, field: _Optional[str] = ..., literal: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ..., length: _Optional[_Union[Operand, _Mapping]] = ...) -> None: ...

class Aggregator(_message.Message):
    __slots__ = ("concat", "majority", "first", "merge", "best")
    CONCAT_FIELD_NUMBER: _ClassVar[int]
    MAJORITY_FIELD_NUMBER: _ClassVar[int]
    FIRST_FIELD_NUMBER: _ClassVar[int]
    MERGE_FIELD_NUMBER: _ClassVar[int]
    BEST_FIELD_NUMBER: _ClassVar[int]
    concat: ConcatAggregator
    majority: FieldAggregator
    first: FieldAggregator
    merge: MergeAggregator
    best: BestAggregator
    def __init__(self, concat: _Optional[_Union[ConcatAggregator, _Mapping]] = ..., majority: _Optional[_Union[FieldAggregator, _Mapping]] = ..., first: _Optional[_Union[FieldAggregator, _Mapping]] = ..., merge: _Optional[_Union[MergeAggregator, _Mapping]] = ..., best: _Optional[_Union[BestAggregator, _Mapping]] = ...) -> None: ...

class ConcatAggregator(_message.Message):
    __slots__ = ("field", "into", "separator")
    FIELD_FIELD_NUMBER: _ClassVar[int]
    INTO_FIELD_NUMBER: _ClassVar[int]
    SEPARATOR_FIELD_NUMBER: _ClassVar[int]
    field: str
    into: str
    separator: str
    def __init__(self, field: _Optional[str] = ..., into: _Optional[str] = ..., separator: _Optional[str] = ...) -> None: ...

class FieldAggregator(_message.Message):
    __slots__ = ("field", "into")
    FIELD_FIELD_NUMBER: _ClassVar[int]
    INTO_FIELD_NUMBER: _ClassVar[int]
    field: str
    into: str
    def __init__(self, field: _Optional[str] = ..., into: _Optional[str] = ...) -> None: ...

class MergeAggregator(_message.Message):
    __slots__ = ("field", "into")
    FIELD_FIELD_NUMBER: _ClassVar[int]
    INTO_FIELD_NUMBER: _ClassVar[int]
    field: str
    into: str
    def __init__(self, field: _Optional[str] = ..., into: _Optional[str] = ...) -> None: ...

class BestAggregator(_message.Message):
    __slots__ = ("by", "field", "into", "order")
    class Order(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        ORDER_UNSPECIFIED: _ClassVar[BestAggregator.Order]
        ORDER_MAX: _ClassVar[BestAggregator.Order]
        ORDER_MIN: _ClassVar[BestAggregator.Order]
    ORDER_UNSPECIFIED: BestAggregator.Order
    ORDER_MAX: BestAggregator.Order
    ORDER_MIN: BestAggregator.Order
    BY_FIELD_NUMBER: _ClassVar[int]
    FIELD_FIELD_NUMBER: _ClassVar[int]
    INTO_FIELD_NUMBER: _ClassVar[int]
    ORDER_FIELD_NUMBER: _ClassVar[int]
    by: str
    field: str
    into: str
    order: BestAggregator.Order
    def __init__(self, by: _Optional[str] = ..., field: _Optional[str] = ..., into: _Optional[str] = ..., order: _Optional[_Union[BestAggregator.Order, str]] = ...) -> None: ...

class PipelineLimits(_message.Message):
    __slots__ = ("max_definition_bytes", "max_steps", "max_nesting", "max_branches", "max_retries", "max_map_concurrency", "default_map_concurrency", "step_name_pattern", "field_name_pattern", "index_pattern", "max_ref_chars", "max_ref_parts", "max_condition_depth", "max_condition_nodes", "max_string_literal_chars", "max_list_literal_items", "max_abs_integer_literal", "max_separator_chars", "step_name_rule", "field_name_rule")
    MAX_DEFINITION_BYTES_FIELD_NUMBER: _ClassVar[int]
    MAX_STEPS_FIELD_NUMBER: _ClassVar[int]
    MAX_NESTING_FIELD_NUMBER: _ClassVar[int]
    MAX_BRANCHES_FIELD_NUMBER: _ClassVar[int]
    MAX_RETRIES_FIELD_NUMBER: _ClassVar[int]
    MAX_MAP_CONCURRENCY_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_MAP_CONCURRENCY_FIELD_NUMBER: _ClassVar[int]
    STEP_NAME_PATTERN_FIELD_NUMBER: _ClassVar[int]
    FIELD_NAME_PATTERN_FIELD_NUMBER: _ClassVar[int]
    INDEX_PATTERN_FIELD_NUMBER: _ClassVar[int]
    MAX_REF_CHARS_FIELD_NUMBER: _ClassVar[int]
    MAX_REF_PARTS_FIELD_NUMBER: _ClassVar[int]
    MAX_CONDITION_DEPTH_FIELD_NUMBER: _ClassVar[int]
    MAX_CONDITION_NODES_FIELD_NUMBER: _ClassVar[int]
    MAX_STRING_LITERAL_CHARS_FIELD_NUMBER: _ClassVar[int]
    MAX_LIST_LITERAL_ITEMS_FIELD_NUMBER: _ClassVar[int]
    MAX_ABS_INTEGER_LITERAL_FIELD_NUMBER: _ClassVar[int]
    MAX_SEPARATOR_CHARS_FIELD_NUMBER: _ClassVar[int]
    STEP_NAME_RULE_FIELD_NUMBER: _ClassVar[int]
    FIELD_NAME_RULE_FIELD_NUMBER: _ClassVar[int]
    max_definition_bytes: int
    max_steps: int
    max_nesting: int
    max_branches: int
    max_retries: int
    max_map_concurrency: int
    default_map_concurrency: int
    step_name_pattern: str
    field_name_pattern: str
    index_pattern: str
    max_ref_chars: int
    max_ref_parts: int
    max_condition_depth: int
    max_condition_nodes: int
    max_string_literal_chars: int
    max_list_literal_items: int
    max_abs_integer_literal: float
    max_separator_chars: int
    step_name_rule: str
    field_name_rule: str
    def __init__(self, max_definition_bytes: _Optional[int] = ..., max_steps: _Optional[int] = ..., max_nesting: _Optional[int] = ..., max_branches: _Optional[int] = ..., max_retries: _Optional[int] = ..., max_map_concurrency: _Optional[int] = ..., default_map_concurrency: _Optional[int] = ..., step_name_pattern: _Optional[str] = ..., field_name_pattern: _Optional[str] = ..., index_pattern: _Optional[str] = ..., max_ref_chars: _Optional[int] = ..., max_ref_parts: _Optional[int] = ..., max_condition_depth: _Optional[int] = ..., max_condition_nodes: _Optional[int] = ..., max_string_literal_chars: _Optional[int] = ..., max_list_literal_items: _Optional[int] = ..., max_abs_integer_literal: _Optional[float] = ..., max_separator_chars: _Optional[int] = ..., step_name_rule: _Optional[str] = ..., field_name_rule: _Optional[str] = ...) -> None: ...
