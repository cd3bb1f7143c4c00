from dspy_connect.v1 import common_pb2 as _common_pb2
from dspy_connect.v1 import pipeline_pb2 as _pipeline_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RunStart(_message.Message):
    __slots__ = ("session_id", "lm", "trace", "tools", "retries", "closes_after_done", "module", "batch", "optimize", "pipeline", "command")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    LM_FIELD_NUMBER: _ClassVar[int]
    TRACE_FIELD_NUMBER: _ClassVar[int]
    TOOLS_FIELD_NUMBER: _ClassVar[int]
    RETRIES_FIELD_NUMBER: _ClassVar[int]
    CLOSES_AFTER_DONE_FIELD_NUMBER: _ClassVar[int]
    MODULE_FIELD_NUMBER: _ClassVar[int]
    BATCH_FIELD_NUMBER: _ClassVar[int]
    OPTIMIZE_FIELD_NUMBER: _ClassVar[int]
    PIPELINE_FIELD_NUMBER: _ClassVar[int]
    COMMAND_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    lm: _common_pb2.LmConfig
    trace: _common_pb2.TraceContext
    tools: _containers.RepeatedCompositeFieldContainer[_common_pb2.ToolSpec]
    retries: int
    closes_after_done: bool
    module: ModuleRun
    batch: BatchRun
    optimize: OptimizeRun
    pipeline: PipelineRun
    command: CommandRun
    def __init__(self, session_id: _Optional[str] = ..., lm: _Optional[_Union[_common_pb2.LmConfig, _Mapping]] = ..., trace: _Optional[_Union[_common_pb2.TraceContext, _Mapping]] = ..., tools: _Optional[_Iterable[_Union[_common_pb2.ToolSpec, _Mapping]]] = ..., retries: _Optional[int] = ..., closes_after_done: _Optional[bool] = ..., module: _Optional[_Union[ModuleRun, _Mapping]] = ..., batch: _Optional[_Union[BatchRun, _Mapping]] = ..., optimize: _Optional[_Union[OptimizeRun, _Mapping]] = ..., pipeline: _Optional[_Union[PipelineRun, _Mapping]] = ..., command: _Optional[_Union[CommandRun, _Mapping]] = ...) -> None: ...

class ModuleRun(_message.Message):
    __slots__ = ("module", "module_id", "inputs_json")
    MODULE_FIELD_NUMBER: _ClassVar[int]
    MODULE_ID_FIELD_NUMBER: _ClassVar[int]
    INPUTS_JSON_FIELD_NUMBER: _ClassVar[int]
    module: _common_pb2.ModuleSpec
    module_id: str
    inputs_json: bytes
    def __init__(self, module: _Optional[_Union[_common_pb2.ModuleSpec, _Mapping]] = ..., module_id: _Optional[str] = ..., inputs_json: _Optional[bytes] = ...) -> None: ...

class BatchRun(_message.Message):
    __slots__ = ("module", "items_json", "concurrency", "ordered")
    MODULE_FIELD_NUMBER: _ClassVar[int]
    ITEMS_JSON_FIELD_NUMBER: _ClassVar[int]
    CONCURRENCY_FIELD_NUMBER: _ClassVar[int]
    ORDERED_FIELD_NUMBER: _ClassVar[int]
    module: _common_pb2.ModuleSpec
    items_json: bytes
    concurrency: int
    ordered: bool
    def __init__(self, module: _Optional[_Union[_common_pb2.ModuleSpec, _Mapping]] = ..., items_json: _Optional[bytes] = ..., concurrency: _Optional[int] = ..., ordered: _Optional[bool] = ...) -> None: ...

class OptimizeRun(_message.Message):
    __slots__ = ("program", "trainset_json", "valset_json", "metric", "optimizer", "optimizer_config_json")
    PROGRAM_FIELD_NUMBER: _ClassVar[int]
    TRAINSET_JSON_FIELD_NUMBER: _ClassVar[int]
    VALSET_JSON_FIELD_NUMBER: _ClassVar[int]
    METRIC_FIELD_NUMBER: _ClassVar[int]
    OPTIMIZER_FIELD_NUMBER: _ClassVar[int]
    OPTIMIZER_CONFIG_JSON_FIELD_NUMBER: _ClassVar[int]
    program: _common_pb2.ModuleSpec
    trainset_json: bytes
    valset_json: bytes
    metric: str
    optimizer: str
    optimizer_config_json: bytes
    def __init__(self, program: _Optional[_Union[_common_pb2.ModuleSpec, _Mapping]] = ..., trainset_json: _Optional[bytes] = ..., valset_json: _Optional[bytes] = ..., metric: _Optional[str] = ..., optimizer: _Optional[str] = ..., optimizer_config_json: _Optional[bytes] = ...) -> None: ...

class PipelineRun(_message.Message):
    __slots__ = ("pipeline_id", "definition_json", "inputs_json", "definition")
    PIPELINE_ID_FIELD_NUMBER: _ClassVar[int]
    DEFINITION_JSON_FIELD_NUMBER: _ClassVar[int]
    INPUTS_JSON_FIELD_NUMBER: _ClassVar[int]
    DEFINITION_FIELD_NUMBER: _ClassVar[int]
    pipeline_id: str
    definition_json: bytes
    inputs_json: bytes
    definition: _pipeline_pb2.PipelineDefinition
    def __init__(self, pipeline_id: _Optional[str] = ..., definition_json: _Optional[bytes] = ..., inputs_json: _Optional[bytes] = ..., definition: _Optional[_Union[_pipeline_pb2.PipelineDefinition, _Mapping]] = ...) -> None: ...

class CommandRun(_message.Message):
    __slots__ = ("command", "args_json")
    COMMAND_FIELD_NUMBER: _ClassVar[int]
    ARGS_JSON_FIELD_NUMBER: _ClassVar[int]
    command: str
    args_json: bytes
    def __init__(self, command: _Optional[str] = ..., args_json: _Optional[bytes] = ...) -> None: ...

class ToolResult(_message.Message):
    __slots__ = ("call_id", "output_json", "error", "error_kind")
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_JSON_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    ERROR_KIND_FIELD_NUMBER: _ClassVar[int]
    call_id: str
    output_json: bytes
    error: str
    error_kind: str
    def __init__(self, call_id: _Optional[str] = ..., output_json: _Optional[bytes] = ..., error: _Optional[str] = ..., error_kind: _Optional[str] = ...) -> None: ...

class ToolOutput(_message.Message):
    __slots__ = ("call_id", "chunk_json")
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    CHUNK_JSON_FIELD_NUMBER: _ClassVar[int]
    call_id: str
    chunk_json: bytes
    def __init__(self, call_id: _Optional[str] = ..., chunk_json: _Optional[bytes] = ...) -> None: ...

class RunCancel(_message.Message):
    __slots__ = ("reason",)
    REASON_FIELD_NUMBER: _ClassVar[int]
    reason: str
    def __init__(self, reason: _Optional[str] = ...) -> None: ...

class RunRequest(_message.Message):
    __slots__ = ("start", "tool_result", "cancel", "tool_output")
    START_FIELD_NUMBER: _ClassVar[int]
    TOOL_RESULT_FIELD_NUMBER: _ClassVar[int]
    CANCEL_FIELD_NUMBER: _ClassVar[int]
    TOOL_OUTPUT_FIELD_NUMBER: _ClassVar[int]
    start: RunStart
    tool_result: ToolResult
    cancel: RunCancel
    tool_output: ToolOutput
    def __init__(self, start: _Optional[_Union[RunStart, _Mapping]] = ..., tool_result: _Optional[_Union[ToolResult, _Mapping]] = ..., cancel: _Optional[_Union[RunCancel, _Mapping]] = ..., tool_output: _Optional[_Union[ToolOutput, _Mapping]] = ...) -> None: ...

class EventBatch(_message.Message):
    __slots__ = ("events",)
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[Event]
    def __init__(self, events: _Optional[_Iterable[_Union[Event, _Mapping]]] = ...) -> None: ...

class Event(_message.Message):
    __slots__ = ("seq", "time_ms", "token", "status", "thought", "tool_start", "observation", "item", "progress", "trial", "step", "branch", "custom", "tool_output", "tool_error")
    SEQ_FIELD_NUMBER: _ClassVar[int]
    TIME_MS_FIELD_NUMBER: _ClassVar[int]
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    THOUGHT_FIELD_NUMBER: _ClassVar[int]
    TOOL_START_FIELD_NUMBER: _ClassVar[int]
    OBSERVATION_FIELD_NUMBER: _ClassVar[int]
    ITEM_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    TRIAL_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    BRANCH_FIELD_NUMBER: _ClassVar[int]
    CUSTOM_FIELD_NUMBER: _ClassVar[int]
    TOOL_OUTPUT_FIELD_NUMBER: _ClassVar[int]
    TOOL_ERROR_FIELD_NUMBER: _ClassVar[int]
    seq: int
    time_ms: float
    token: TokenEvent
    status: StatusEvent
    thought: ThoughtEvent
    tool_start: ToolStartEvent
    observation: ObservationEvent
    item: ItemEvent
    progress: ProgressEvent
    trial: TrialEvent
    step: StepEvent
    branch: BranchEvent
    custom: CustomEvent
    tool_output: ToolOutputEvent
    tool_error: ToolErrorEvent
    def __init__(self, seq: _Optional[int] = ..., time_ms: _Optional[float] = ..., token: _Optional[_Union[TokenEvent, _Mapping]] = ..., status: _Optional[_Union[StatusEvent, _Mapping]] = ..., thought: _Optional[_Union[ThoughtEvent, _Mapping]] = ..., tool_start: _Optional[_Union[ToolStartEvent, _Mapping]] = ..., observation: _Optional[_Union[ObservationEvent, _Mapping]] = ..., item: _Optional[_Union[ItemEvent, _Mapping]] = ..., progress: _Optional[_Union[ProgressEvent, _Mapping]] = ..., trial: _Optional[_Union[TrialEvent, _Mapping]] = ..., step: _Optional[_Union[StepEvent, _Mapping]] = ..., branch: _Optional[_Union[BranchEvent, _Mapping]] = ..., custom: _Optional[_Union[CustomEvent, _Mapping]] = ..., tool_output: _Optional[_Union[ToolOutputEvent, _Mapping]] = ..., tool_error: _Optional[_Union[ToolErrorEvent, _Mapping]] = ...) -> None: ...

class TokenEvent(_message.Message):
    __slots__ = ("path", "field", "delta", "last")
    PATH_FIELD_NUMBER: _ClassVar[int]
    FIELD_FIELD_NUMBER: _ClassVar[int]
    DELTA_FIELD_NUMBER: _ClassVar[int]
    LAST_FIELD_NUMBER: _ClassVar[int]
    path: str
    field: str
    delta: str
    last: bool
    def __init__(self, path: _Optional[str] = ..., field: _Optional[str] = ..., delta: _Optional[str] = ..., last: _Optional[bool] = ...) -> None: ...

class StatusEvent(_message.Message):
    __slots__ = ("message",)
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    message: str
    def __init__(self, message: _Optional[str] = ...) -> None: ...

class ThoughtEvent(_message.Message):
    __slots__ = ("path", "step", "text")
    PATH_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    path: str
    step: int
    text: str
    def __init__(self, path: _Optional[str] = ..., step: _Optional[int] = ..., text: _Optional[str] = ...) -> None: ...

class ToolStartEvent(_message.Message):
    __slots__ = ("path", "step", "call_id", "tool_name", "args_json")
    PATH_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    TOOL_NAME_FIELD_NUMBER: _ClassVar[int]
    ARGS_JSON_FIELD_NUMBER: _ClassVar[int]
    path: str
    step: int
    call_id: str
    tool_name: str
    args_json: bytes
    def __init__(self, path: _Optional[str] = ..., step: _Optional[int] = ..., call_id: _Optional[str] = ..., tool_name: _Optional[str] = ..., args_json: _Optional[bytes] = ...) -> None: ...

class ObservationEvent(_message.Message):
    __slots__ = ("path", "step", "call_id", "tool_name", "observation_json", "is_error")
    PATH_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    TOOL_NAME_FIELD_NUMBER: _ClassVar[int]
    OBSERVATION_JSON_FIELD_NUMBER: _ClassVar[int]
    IS_ERROR_FIELD_NUMBER: _ClassVar[int]
    path: str
    step: int
    call_id: str
    tool_name: str
    observation_json: bytes
    is_error: bool
    def __init__(self, path: _Optional[str] = ..., step: _Optional[int] = ..., call_id: _Optional[str] = ..., tool_name: _Optional[str] = ..., observation_json: _Optional[bytes] = ..., is_error: _Optional[bool] = ...) -> None: ...

class ItemEvent(_message.Message):
    __slots__ = ("index", "input_json", "output_json", "error")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    INPUT_JSON_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_JSON_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    index: int
    input_json: bytes
    output_json: bytes
    error: _common_pb2.ErrorDetail
    def __init__(self, index: _Optional[int] = ..., input_json: _Optional[bytes] = ..., output_json: _Optional[bytes] = ..., error: _Optional[_Union[_common_pb2.ErrorDetail, _Mapping]] = ...) -> None: ...

class ProgressEvent(_message.Message):
    __slots__ = ("completed", "total", "failed")
    COMPLETED_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    FAILED_FIELD_NUMBER: _ClassVar[int]
    completed: int
    total: int
    failed: int
    def __init__(self, completed: _Optional[int] = ..., total: _Optional[int] = ..., failed: _Optional[int] = ...) -> None: ...

class TrialEvent(_message.Message):
    __slots__ = ("trial", "total", "kind", "score", "details_json")
    TRIAL_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    DETAILS_JSON_FIELD_NUMBER: _ClassVar[int]
    trial: int
    total: int
    kind: str
    score: float
    details_json: bytes
    def __init__(self, trial: _Optional[int] = ..., total: _Optional[int] = ..., kind: _Optional[str] = ..., score: _Optional[float] = ..., details_json: _Optional[bytes] = ...) -> None: ...

class StepEvent(_message.Message):
    __slots__ = ("path", "phase", "step_type", "output_json", "error", "duration_ms")
    class Phase(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        PHASE_UNSPECIFIED: _ClassVar[StepEvent.Phase]
        PHASE_START: _ClassVar[StepEvent.Phase]
        PHASE_COMPLETE: _ClassVar[StepEvent.Phase]
        PHASE_ERROR: _ClassVar[StepEvent.Phase]
        PHASE_PARALLEL_START: _ClassVar[StepEvent.Phase]
        PHASE_PARALLEL_COMPLETE: _ClassVar[StepEvent.Phase]
    PHASE_UNSPECIFIED: StepEvent.Phase
    PHASE_START: StepEvent.Phase
    PHASE_COMPLETE: StepEvent.Phase
    PHASE_ERROR: StepEvent.Phase
    PHASE_PARALLEL_START: StepEvent.Phase
    PHASE_PARALLEL_COMPLETE: StepEvent.Phase
    PATH_FIELD_NUMBER: _ClassVar[int]
    PHASE_FIELD_NUMBER: _ClassVar[int]
    STEP_TYPE_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_JSON_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    DURATION_MS_FIELD_NUMBER: _ClassVar[int]
    path: str
    phase: StepEvent.Phase
    step_type: str
    output_json: bytes
    error: _common_pb2.ErrorDetail
    duration_ms: float
    def __init__(self, path: _Optional[str] = ..., phase: _Optional[_Union[StepEvent.Phase, str]] = ..., step_type: _Optional[str] = ..., output_json: _Optional[bytes] = ..., error: _Optional[_Union[_common_pb2.ErrorDetail, _Mapping]] = ..., duration_ms: _Optional[float] = ...) -> None: ...

class BranchEvent(_message.Message):
    __slots__ = ("path", "condition_json", "value", "taken")
    PATH_FIELD_NUMBER: _ClassVar[int]
    CONDITION_JSON_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    TAKEN_FIELD_NUMBER: _ClassVar[int]
    path: str
    condition_json: bytes
    value: bool
    taken: str
    def __init__(self, path: _Optional[str] = ..., condition_json: _Optional[bytes] = ..., value: _Optional[bool] = ..., taken: _Optional[str] = ...) -> None: ...

class CustomEvent(_message.Message):
    __slots__ = ("type", "data_json")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    DATA_JSON_FIELD_NUMBER: _ClassVar[int]
    type: str
    data_json: bytes
    def __init__(self, type: _Optional[str] = ..., data_json: _Optional[bytes] = ...) -> None: ...

class ToolOutputEvent(_message.Message):
    __slots__ = ("path", "step", "call_id", "tool_name", "chunk_json")
    PATH_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    TOOL_NAME_FIELD_NUMBER: _ClassVar[int]
    CHUNK_JSON_FIELD_NUMBER: _ClassVar[int]
    path: str
    step: int
    call_id: str
    tool_name: str
    chunk_json: bytes
    def __init__(self, path: _Optional[str] = ..., step: _Optional[int] = ..., call_id: _Optional[str] = ..., tool_name: _Optional[str] = ..., chunk_json: _Optional[bytes] = ...) -> None: ...

class ToolErrorEvent(_message.Message):
    __slots__ = ("path", "step", "call_id", "tool_name", "kind", "message")
    PATH_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    TOOL_NAME_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    path: str
    step: int
    call_id: str
    tool_name: str
    kind: str
    message: str
    def __init__(self, path: _Optional[str] = ..., step: _Optional[int] = ..., call_id: _Optional[str] = ..., tool_name: _Optional[str] = ..., kind: _Optional[str] = ..., message: _Optional[str] = ...) -> None: ...

class ToolCall(_message.Message):
    __slots__ = ("call_id", "tool_name", "args_json", "timeout_ms", "trace")
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    TOOL_NAME_FIELD_NUMBER: _ClassVar[int]
    ARGS_JSON_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_MS_FIELD_NUMBER: _ClassVar[int]
    TRACE_FIELD_NUMBER: _ClassVar[int]
    call_id: str
    tool_name: str
    args_json: bytes
    timeout_ms: int
    trace: _common_pb2.TraceContext
    def __init__(self, call_id: _Optional[str] = ..., tool_name: _Optional[str] = ..., args_json: _Optional[bytes] = ..., timeout_ms: _Optional[int] = ..., trace: _Optional[_Union[_common_pb2.TraceContext, _Mapping]] = ...) -> None: ...

class RunDone(_message.Message):
    __slots__ = ("result_json", "error", "usage", "event_count")
    RESULT_JSON_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    USAGE_FIELD_NUMBER: _ClassVar[int]
    EVENT_COUNT_FIELD_NUMBER: _ClassVar[int]
    result_json: bytes
    error: _common_pb2.ErrorDetail
    usage: _common_pb2.Usage
    event_count: int
    def __init__(self, result_json: _Optional[bytes] = ..., error: _Optional[_Union[_common_pb2.ErrorDetail, _Mapping]] = ..., usage: _Optional[_Union[_common_pb2.Usage, _Mapping]] = ..., event_count: _Optional[int] = ...) -> None: ...

class RunResponse(_message.Message):
    __slots__ = ("events", "tool_call", "done")
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    TOOL_CALL_FIELD_NUMBER: _ClassVar[int]
    DONE_FIELD_NUMBER: _ClassVar[int]
    events: EventBatch
    tool_call: ToolCall
    done: RunDone
    def __init__(self, events: _Optional[_Union[EventBatch, _Mapping]] = ..., tool_call: _Optional[_Union[ToolCall, _Mapping]] = ..., done: _Optional[_Union[RunDone, _Mapping]] = ...) -> None: ...
