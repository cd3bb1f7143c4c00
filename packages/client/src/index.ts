export { createClient, DspyClient, type ClientStats } from "./client.js";
export { Session, type SessionOptions } from "./session/session.js";
export { Code, ConnectError, isWorkerGoneError } from "./errors.js";
export type { CallResult, Usage } from "./call.js";
export type { ModuleDefinition } from "./module-spec.js";
export type {
  AffinityMode,
  CallOptions,
  ClientOptions,
  LmOption,
  LmSettings,
  Logger,
  ModuleCallOptions,
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
