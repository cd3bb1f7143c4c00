from dspy_connect.v1 import common_pb2 as _common_pb2
from dspy_connect.v1 import run_pb2 as _run_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class DescribeRequest(_message.Message):
    __slots__ = ("wait_for_warm_up",)
    WAIT_FOR_WARM_UP_FIELD_NUMBER: _ClassVar[int]
    wait_for_warm_up: bool
    def __init__(self, wait_for_warm_up: _Optional[bool] = ...) -> None: ...

class DescribeResponse(_message.Message):
    __slots__ = ("worker_id", "worker_version", "dspy_version", "python_version", "grpc_version", "pid", "capabilities", "lm", "module_types", "tools", "metrics", "commands", "active_sessions", "max_concurrency", "active_runs", "busy_threads", "runs_total", "runs_cancelled", "rss_bytes", "calls_abandoned", "protocol_version", "warmed_up", "lm_missing_keys", "warm_up_pid", "waiting", "loop_lag_ms")
    WORKER_ID_FIELD_NUMBER: _ClassVar[int]
    WORKER_VERSION_FIELD_NUMBER: _ClassVar[int]
    DSPY_VERSION_FIELD_NUMBER: _ClassVar[int]
    PYTHON_VERSION_FIELD_NUMBER: _ClassVar[int]
    GRPC_VERSION_FIELD_NUMBER: _ClassVar[int]
    PID_FIELD_NUMBER: _ClassVar[int]
    CAPABILITIES_FIELD_NUMBER: _ClassVar[int]
    LM_FIELD_NUMBER: _ClassVar[int]
    MODULE_TYPES_FIELD_NUMBER: _ClassVar[int]
    TOOLS_FIELD_NUMBER: _ClassVar[int]
    METRICS_FIELD_NUMBER: _ClassVar[int]
    COMMANDS_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_SESSIONS_FIELD_NUMBER: _ClassVar[int]
    MAX_CONCURRENCY_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_RUNS_FIELD_NUMBER: _ClassVar[int]
    BUSY_THREADS_FIELD_NUMBER: _ClassVar[int]
    RUNS_TOTAL_FIELD_NUMBER: _ClassVar[int]
    RUNS_CANCELLED_FIELD_NUMBER: _ClassVar[int]
    RSS_BYTES_FIELD_NUMBER: _ClassVar[int]
    CALLS_ABANDONED_FIELD_NUMBER: _ClassVar[int]
    PROTOCOL_VERSION_FIELD_NUMBER: _ClassVar[int]
    WARMED_UP_FIELD_NUMBER: _ClassVar[int]
    LM_MISSING_KEYS_FIELD_NUMBER: _ClassVar[int]
    WARM_UP_PID_FIELD_NUMBER: _ClassVar[int]
    WAITING_FIELD_NUMBER: _ClassVar[int]
    LOOP_LAG_MS_FIELD_NUMBER: _ClassVar[int]
    worker_id: str
    worker_version: str
    dspy_version: str
    python_version: str
    grpc_version: str
    pid: int
    capabilities: _containers.RepeatedScalarFieldContainer[str]
    lm: _common_pb2.LmConfig
    module_types: _containers.RepeatedScalarFieldContainer[str]
    tools: _containers.RepeatedScalarFieldContainer[str]
    metrics: _containers.RepeatedScalarFieldContainer[str]
    commands: _containers.RepeatedScalarFieldContainer[str]
    active_sessions: int
    max_concurrency: int
    active_runs: int
    busy_threads: int
    runs_total: int
    runs_cancelled: int
    rss_bytes: int
    calls_abandoned: int
    protocol_version: int
    warmed_up: bool
    lm_missing_keys: _containers.RepeatedScalarFieldContainer[str]
    warm_up_pid: int
    waiting: int
    loop_lag_ms: float
    def __init__(self, worker_id: _Optional[str] = ..., worker_version: _Optional[str] = ..., dspy_version: _Optional[str] = ..., python_version: _Optional[str] = ..., grpc_version: _Optional[str] = ..., pid: _Optional[int] = ..., capabilities: _Optional[_Iterable[str]] = ..., lm: _Optional[_Union[_common_pb2.LmConfig, _Mapping]] = ..., module_types: _Optional[_Iterable[str]] = ..., tools: _Optional[_Iterable[str]] = ..., metrics: _Optional[_Iterable[str]] = ..., commands: _Optional[_Iterable[str]] = ..., active_sessions: _Optional[int] = ..., max_concurrency: _Optional[int] = ..., active_runs: _Optional[int] = ..., busy_threads: _Optional[int] = ..., runs_total: _Optional[int] = ..., runs_cancelled: _Optional[int] = ..., rss_bytes: _Optional[int] = ..., calls_abandoned: _Optional[int] = ..., protocol_version: _Optional[int] = ..., warmed_up: _Optional[bool] = ..., lm_missing_keys: _Optional[_Iterable[str]] = ..., warm_up_pid: _Optional[int] = ..., waiting: _Optional[int] = ..., loop_lag_ms: _Optional[float] = ...) -> None: ...

class CreateSessionRequest(_message.Message):
    __slots__ = ("session_id", "lm", "ttl_seconds")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    LM_FIELD_NUMBER: _ClassVar[int]
    TTL_SECONDS_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    lm: _common_pb2.LmConfig
    ttl_seconds: int
    def __init__(self, session_id: _Optional[str] = ..., lm: _Optional[_Union[_common_pb2.LmConfig, _Mapping]] = ..., ttl_seconds: _Optional[int] = ...) -> None: ...

class CreateSessionResponse(_message.Message):
    __slots__ = ("session_id", "ttl_seconds")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    TTL_SECONDS_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    ttl_seconds: int
    def __init__(self, session_id: _Optional[str] = ..., ttl_seconds: _Optional[int] = ...) -> None: ...

class CloseSessionRequest(_message.Message):
    __slots__ = ("session_id",)
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    def __init__(self, session_id: _Optional[str] = ...) -> None: ...

class CloseSessionResponse(_message.Message):
    __slots__ = ("closed",)
    CLOSED_FIELD_NUMBER: _ClassVar[int]
    closed: bool
    def __init__(self, closed: _Optional[bool] = ...) -> None: ...

class CallRequest(_message.Message):
    __slots__ = ("session_id", "module", "module_id", "inputs_json", "lm", "trace", "retries")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    MODULE_FIELD_NUMBER: _ClassVar[int]
    MODULE_ID_FIELD_NUMBER: _ClassVar[int]
    INPUTS_JSON_FIELD_NUMBER: _ClassVar[int]
    LM_FIELD_NUMBER: _ClassVar[int]
    TRACE_FIELD_NUMBER: _ClassVar[int]
    RETRIES_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    module: _common_pb2.ModuleSpec
    module_id: str
    inputs_json: bytes
    lm: _common_pb2.LmConfig
    trace: _common_pb2.TraceContext
    retries: int
    def __init__(self, session_id: _Optional[str] = ..., module: _Optional[_Union[_common_pb2.ModuleSpec, _Mapping]] = ..., module_id: _Optional[str] = ..., inputs_json: _Optional[bytes] = ..., lm: _Optional[_Union[_common_pb2.LmConfig, _Mapping]] = ..., trace: _Optional[_Union[_common_pb2.TraceContext, _Mapping]] = ..., retries: _Optional[int] = ...) -> None: ...

class CallResponse(_message.Message):
    __slots__ = ("outputs_json", "usage", "duration_ms", "worker_id")
    OUTPUTS_JSON_FIELD_NUMBER: _ClassVar[int]
    USAGE_FIELD_NUMBER: _ClassVar[int]
    DURATION_MS_FIELD_NUMBER: _ClassVar[int]
    WORKER_ID_FIELD_NUMBER: _ClassVar[int]
    outputs_json: bytes
    usage: _common_pb2.Usage
    duration_ms: float
    worker_id: str
    def __init__(self, outputs_json: _Optional[bytes] = ..., usage: _Optional[_Union[_common_pb2.Usage, _Mapping]] = ..., duration_ms: _Optional[float] = ..., worker_id: _Optional[str] = ...) -> None: ...
