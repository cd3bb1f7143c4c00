export { createClient, DspyClient, DEFAULT_RUN_TIMEOUT_MS, type ClientStats } from "./client.js";
export type { RunChannel, RunRequestInit, RunStartInit } from "./run/open-run.js";
export { moduleId, toModuleSpec, type ModuleDefinition } from "./module-spec.js";
export { toLmConfig } from "./lm.js";
export { encodeJson, decodeJson } from "./json.js";
export { Session, type SessionOptions } from "./session/session.js";
export { isRunTool, ToolError, type RunTool, type ToolContext, type ToolErrorKind } from "./tools/run-tool.js";
export { checkTool, ToolRegistry } from "./tools/tool-registry.js";
export {
  diagnosticsChannel,
  observed,
  publish,
  subscribe,
  type CallStartMessage,
  type DiagnosticsChannel,
  type DiagnosticsMessages,
  type OperationEndMessage,
  type OperationInfo,
  type RunFrameMessage,
  type RunStartMessage,
  type ToolCallInfo,
  type ToolEndMessage,
} from "./diagnostics/channels.js";
export { Code, ConnectError, isWorkerGoneError } from "./errors.js";
export type { CallResult, Usage } from "./call.js";
export type {
  AffinityMode,
  CallOptions,
  ClientOptions,
  LmOption,
  LmSettings,
  Logger,
  ModuleCallOptions,
  RunOptions,
  RemoteWorkerOptions,
} from "./options.js";
export type { PoolStats, WorkerStats } from "./pool/pool.js";
export type { WorkerStatus } from "./pool/pool-worker.js";
export type { LocalLmStatus } from "./local-lm/local-lm-server.js";
export type {
  ParseSignature,
  PyTypeToTs,
  SignatureInputs,
  SignatureOutputs,
  WithReasoning,
} from "./signature/types.js";
