export type { CallResult, Usage } from "./call.js";
export { type ClientStats, createClient, DEFAULT_RUN_TIMEOUT_MS, DspyClient } from "./client.js";
export {
  type CallStartMessage,
  type DiagnosticsChannel,
  type DiagnosticsMessages,
  diagnosticsChannel,
  type OperationEndMessage,
  type OperationInfo,
  observed,
  type PoolMemberMessage,
  publish,
  type RunFrameMessage,
  type RunStartMessage,
  subscribe,
  type ToolCallInfo,
  type ToolEndMessage,
} from "./diagnostics/channels.js";
export { Code, ConnectError, isWorkerGoneError } from "./errors.js";
export { decodeJson, encodeJson } from "./json.js";
export { toLmConfig } from "./lm.js";
export type { LocalLmStatus } from "./local-lm/local-lm-server.js";
export { type ModuleDefinition, moduleId, toModuleSpec } from "./module-spec.js";
export type {
  AffinityMode,
  CallOptions,
  ClientOptions,
  DnsWorkersOptions,
  LmOption,
  LmSettings,
  Logger,
  ModuleCallOptions,
  RemoteWorkerOptions,
  RemoteWorkerTls,
  RunOptions,
} from "./options.js";
export type { PoolStats, WorkerStats } from "./pool/pool.js";
export type { WorkerStatus } from "./pool/pool-worker.js";
export type { ZygoteStatus } from "./pool/zygote-keeper.js";
export type { RunChannel, RunRequestInit, RunStartInit } from "./run/open-run.js";
export { isSession, type SessionLike } from "./session/brand.js";
export { Session, type SessionOptions } from "./session/session.js";
export type {
  ParseSignature,
  PyTypeToTs,
  SignatureInputs,
  SignatureOutputs,
  SignatureTypeError,
  SignatureTypes,
  WithReasoning,
} from "./signature/types.js";
export {
  isRunTool,
  isToolError,
  type RunTool,
  TOOL_ERROR_KINDS,
  type ToolContext,
  ToolError,
  type ToolErrorKind,
} from "./tools/run-tool.js";
export type { ToolRef } from "./tools/run-tools.js";
export { checkToolName, TOOL_NAME_RULES } from "./tools/tool-name.js";
export { checkTool, ToolRegistry } from "./tools/tool-registry.js";
export { CLIENT_VERSION, PROTOCOL_VERSION, WORKER_VERSION } from "./version.js";
export type { PythonCommand } from "./worker/worker-command.js";
