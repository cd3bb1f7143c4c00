"""Span names and attributes. TypeScript code and docs rely on these names: change them
only together with packages/telemetry."""

from __future__ import annotations

from opentelemetry.util.types import Attributes

from ..v1 import run_pb2, worker_pb2

RUN_SPAN = "dspy_connect.run"
CALL_SPAN = "dspy_connect.call"
MODULE_SPAN = "dspy.module"  # + " <ClassName>"
LM_SPAN = "dspy.lm"  # + " <model>"
TOOL_SPAN = "dspy.tool"  # + " <tool name>"
STEP_SPAN = "dspy_connect.step"  # + " <step kind>"

OPERATION = "dspy_connect.operation"
SESSION_ID = "dspy_connect.session_id"
WORKER_ID = "dspy_connect.worker_id"
MODULE_TYPE = "dspy_connect.module.type"
MODULE_ID = "dspy_connect.module_id"
OPTIMIZER = "dspy_connect.optimizer"
COMMAND = "dspy_connect.command"
PIPELINE_ID = "dspy_connect.pipeline_id"
TOOLS = "dspy_connect.tools"
EVENT_COUNT = "dspy_connect.event_count"
ERROR_TYPE = "error.type"
GRPC_STATUS = "rpc.grpc.status_code"

CALL_ID = "dspy.call_id"
MODULE_CLASS = "dspy.module.class"
LM_MODEL = "gen_ai.request.model"
LM_PROVIDER = "gen_ai.provider.name"
GEN_AI_OPERATION = "gen_ai.operation.name"
TOOL_NAME = "gen_ai.tool.name"
INPUT_TOKENS = "gen_ai.usage.input_tokens"
OUTPUT_TOKENS = "gen_ai.usage.output_tokens"
STEP_PATH = "dspy_connect.step.path"
STEP_KIND = "dspy_connect.step.kind"
STEP_ATTEMPT = "dspy_connect.step.attempt"

_SERVICE = "dspy_connect.v1.WorkerService"


def run_attributes(start: run_pb2.RunStart, worker_id: str) -> Attributes:
    """The Run span's attributes known at its start."""
    operation = start.WhichOneof("operation") or ""
    attributes: dict[str, str | int | list[str]] = {
        "rpc.system": "grpc",
        "rpc.service": _SERVICE,
        "rpc.method": "Run",
        OPERATION: operation,
        WORKER_ID: worker_id,
    }
    if start.session_id:
        attributes[SESSION_ID] = start.session_id
    if start.tools:
        attributes[TOOLS] = [tool.name for tool in start.tools]
    if operation in ("module", "batch"):
        op = getattr(start, operation)
        attributes[MODULE_TYPE] = op.module.type
        if operation == "module" and op.module_id:
            attributes[MODULE_ID] = op.module_id
    elif operation == "optimize":
        attributes[MODULE_TYPE] = start.optimize.program.type
        attributes[OPTIMIZER] = start.optimize.optimizer
    elif operation == "command":
        attributes[COMMAND] = start.command.command
    elif operation == "pipeline" and start.pipeline.pipeline_id:
        attributes[PIPELINE_ID] = start.pipeline.pipeline_id
    return attributes


def call_attributes(request: worker_pb2.CallRequest, worker_id: str) -> Attributes:
    """The unary Call span's attributes."""
    attributes: dict[str, str] = {
        "rpc.system": "grpc",
        "rpc.service": _SERVICE,
        "rpc.method": "Call",
        OPERATION: "call",
        WORKER_ID: worker_id,
        MODULE_TYPE: request.module.type,
    }
    if request.session_id:
        attributes[SESSION_ID] = request.session_id
    if request.module_id:
        attributes[MODULE_ID] = request.module_id
    return attributes
