import { create } from "@bufbuild/protobuf";
import { CallRequestSchema, type CallResponse } from "@dspy-connect/core-proto";
import { operationInfo, publish } from "./diagnostics/channels.js";
import { Code } from "./errors.js";
import { decodeJson, encodeJson } from "./json.js";
import { toLmConfig } from "./lm.js";
import { type ModuleDefinition, toModuleSpec } from "./module-spec.js";
import type { CallOptions, LmOption } from "./options.js";
import type { Lease, Pool, RouteRequest } from "./pool/pool.js";
import { checkRetries } from "./retries.js";

export interface Usage {
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly totalTokens: number;
}

export interface CallResult<O> {
  readonly outputs: O;
  readonly usage: Usage;
  readonly workerId: string;
  /** Time spent inside the worker. */
  readonly durationMs: number;
}

/** The per-RPC options that carry a call's single deadline and its cancellation. */
export interface RpcOptions {
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
}

export type Route = Pick<RouteRequest, "preferred" | "strict">;

/**
 * Runs `fn` on a leased worker. One deadline covers the queue wait and the RPC;
 * the RPC is cancelled if the caller aborts or the worker dies.
 */
export async function withLease<T>(
  pool: Pool,
  route: Route,
  options: { readonly timeoutMs: number; readonly signal?: AbortSignal | undefined },
  fn: (lease: Lease, rpc: RpcOptions) => Promise<T>,
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  const lease = await pool.acquire({ ...route, deadline, signal: options.signal });
  try {
    const signal = options.signal ? AbortSignal.any([options.signal, lease.gone]) : lease.gone;
    return await fn(lease, { signal, timeoutMs: Math.max(1, deadline - Date.now()) });
  } catch (error) {
    const failure = await pool.translateError(error, lease, options.signal);
    if (failure.code === Code.Canceled || failure.code === Code.DeadlineExceeded) lease.abandon();
    throw failure;
  } finally {
    lease.release();
  }
}

export interface CallTarget {
  readonly module: ModuleDefinition;
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly lm: LmOption | undefined;
  /** LM retries (checked by checkRetries); undefined: the worker's default. */
  readonly retries?: number | undefined;
  readonly sessionId?: string;
  readonly moduleId?: string;
}

export async function runCall<O>(
  pool: Pool,
  route: Route,
  target: CallTarget,
  options: CallOptions & { readonly timeoutMs: number },
  beforeCall?: (lease: Lease, rpc: RpcOptions) => Promise<void>,
): Promise<CallResult<O>> {
  // Encode before queueing: bad input fails at once, on this side.
  const request = create(CallRequestSchema, {
    module: toModuleSpec(target.module),
    inputsJson: encodeJson(target.inputs, "inputs"),
    lm: toLmConfig(target.lm),
    retries: checkRetries(target.retries),
    sessionId: target.sessionId ?? "",
    moduleId: target.moduleId ?? "",
  });
  const info = operationInfo("call", target.module.type, target.sessionId);
  publish("dspy-connect:call:start", { info, request });
  let reply: CallResponse;
  try {
    reply = await withLease(pool, route, options, async (lease, rpc) => {
      info.workerId = lease.workerId;
      await beforeCall?.(lease, rpc);
      return lease.connection.service.call(request, rpc);
    });
  } catch (error) {
    publish("dspy-connect:call:end", { info, error: error as Error, at: performance.now() });
    throw error;
  }
  publish("dspy-connect:call:end", { info, error: undefined, at: performance.now() });
  const usage = reply.usage;
  return {
    outputs: decodeJson<O>(reply.outputsJson),
    usage: {
      promptTokens: Number(usage?.promptTokens ?? 0),
      completionTokens: Number(usage?.completionTokens ?? 0),
      totalTokens: Number(usage?.totalTokens ?? 0),
    },
    workerId: reply.workerId,
    durationMs: reply.durationMs,
  };
}
