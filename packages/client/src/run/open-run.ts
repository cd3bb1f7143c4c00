import { create, type MessageInitShape, toBinary } from "@bufbuild/protobuf";
import {
  type LmConfig,
  type RunRequestSchema,
  type RunResponse,
  RunResponseSchema,
  type RunStart,
  RunStartSchema,
} from "@dspy-connect/core-proto";
import type { Route, RpcOptions } from "../call.js";
import { type OperationInfo, observed, operationInfo, publish } from "../diagnostics/channels.js";
import type { Lease, Pool } from "../pool/pool.js";
import { checkRetries } from "../retries.js";
import { RequestQueue } from "./request-queue.js";

export type RunStartInit = MessageInitShape<typeof RunStartSchema>;
export type RunRequestInit = MessageInitShape<typeof RunRequestSchema>;

export interface OpenRunOptions {
  readonly signal?: AbortSignal | undefined;
  /** The run's deadline, queue time included. */
  readonly timeoutMs: number;
}

/**
 * One bidi Run on a leased worker. Nothing happens until `responses` is iterated: then
 * a worker is leased, `start` is sent, and the worker's frames are yielded as they come,
 * so a consumer that pulls slowly holds the worker back (HTTP/2 flow control).
 * Leaving the loop early, aborting, or the deadline cancels the run in the worker.
 */
export interface RunChannel {
  readonly responses: AsyncIterable<RunResponse>;
  /** Sends a message after `start` (tool results, cancel). Ignored before the run started and after it ended. */
  send(request: RunRequestInit): void;
  /** The worker running it, once leased. */
  readonly workerId: string | undefined;
  /** The run as telemetry hooks see it. */
  readonly info: OperationInfo;
}

/** The start message with the client's or session's defaults filled in where unset. */
export function withDefaults(
  start: RunStartInit,
  defaults: { lm: LmConfig | undefined; sessionId?: string; retries?: number | undefined },
): RunStart {
  const message = create(RunStartSchema, start);
  message.closesAfterDone = true; // this side closes its requests on `done` (below)
  message.lm ??= defaults.lm;
  message.retries = checkRetries(message.retries ?? defaults.retries);
  if (defaults.sessionId !== undefined) message.sessionId = defaults.sessionId;
  return message;
}

export function openRun(
  pool: Pool,
  route: Route,
  start: RunStartInit,
  options: OpenRunOptions,
  beforeRun?: (lease: Lease, rpc: RpcOptions) => Promise<void>,
): RunChannel {
  const requests = new RequestQueue<RunRequestInit>();
  const message = create(RunStartSchema, start);
  message.closesAfterDone = true; // this side closes its requests on `done` (below)
  const info = operationInfo(message.operation.case ?? "", operationName(message), message.sessionId);
  let open = false;
  async function* responses(): AsyncGenerator<RunResponse> {
    publish("dspy-connect:run:start", { info, start: message });
    let failure: Error | undefined;
    try {
      yield* leased();
    } catch (error) {
      failure = error as Error;
      throw error;
    } finally {
      publish("dspy-connect:run:end", { info, error: failure, at: performance.now() });
    }
  }
  async function* leased(): AsyncGenerator<RunResponse> {
    const deadline = Date.now() + options.timeoutMs;
    const lease = await pool.acquire({ ...route, deadline, signal: options.signal });
    info.workerId = lease.workerId;
    // Aborted when the reader stops early, so the worker sees the run cancelled.
    const stop = new AbortController();
    let stream: AsyncIterator<RunResponse> | undefined;
    let finished = false;
    let ended = false; // `done` arrived
    try {
      const signal = AbortSignal.any([stop.signal, lease.gone, ...(options.signal ? [options.signal] : [])]);
      const rpc = { signal, timeoutMs: Math.max(1, deadline - Date.now()) };
      await beforeRun?.(lease, rpc);
      requests.push({ kind: { case: "start", value: message } });
      open = true;
      stream = lease.connection.service.run(requests, rpc)[Symbol.asyncIterator]();
      for (let next = await stream.next(); !next.done; next = await stream.next()) {
        if (observed("dspy-connect:run:frame")) {
          const bytes = toBinary(RunResponseSchema, next.value).byteLength;
          publish("dspy-connect:run:frame", { info, response: next.value, bytes, at: performance.now() });
        }
        if (next.value.kind.case === "done") {
          // Half-close: the worker waits for it before its trailers (`closesAfterDone`), so
          // the stream ends cleanly however slowly this side reads.
          ended = true;
          requests.close();
        }
        yield next.value;
      }
      finished = true;
    } catch (error) {
      finished = true;
      // The run's end was delivered: a transport error after it loses nothing.
      if (ended) return;
      throw await pool.translateError(error, lease, options.signal);
    } finally {
      open = false;
      if (!finished && ended) {
        // The reader has the run's end and left: the worker's work is over (its slot is
        // free), and the RPC finishes by itself (this side has half-closed, trailers follow).
        void drain(stream);
        lease.release();
      } else {
        if (!finished) {
          stop.abort(new Error("the reader stopped before the run ended"));
          // Let connect see the abort through: it then clears the call's deadline timer,
          // which would otherwise keep Node alive until the deadline.
          await drain(stream);
        }
        requests.close();
        lease.release();
      }
    }
  }
  return {
    responses: { [Symbol.asyncIterator]: () => responses() },
    send(request) {
      if (open) requests.push(request);
    },
    get workerId() {
      return info.workerId;
    },
    info,
  };
}

function operationName(start: RunStart): string {
  const op = start.operation;
  switch (op.case) {
    case "module":
    case "batch":
      return op.value.module?.type ?? "";
    case "optimize":
      return op.value.optimizer;
    case "pipeline":
      return op.value.pipelineId || "inline";
    case "command":
      return op.value.command;
    default:
      return "";
  }
}

async function drain(responses: AsyncIterator<unknown> | undefined): Promise<void> {
  try {
    while (responses && !(await responses.next()).done);
  } catch {
    // the expected Canceled
  }
}
