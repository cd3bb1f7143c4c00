import type { MessageInitShape } from "@bufbuild/protobuf";
import { Code, createRouterTransport, type HandlerContext, type ServiceImpl, type Transport } from "@connectrpc/connect";
import { encodeJson, type Usage } from "@dspy-connect/client";
import {
  type EventSchema,
  Health,
  HealthCheckResponse_ServingStatus,
  type RunRequest,
  type RunResponseSchema,
  type RunStart,
  WorkerService,
} from "@dspy-connect/core-proto";

// Helpers for unit tests of the TypeScript plumbing against a worker written as plain
// handlers (no Python). Kept out of the package index, which needs the worker's Python.

export type RunFrame = MessageInitShape<typeof RunResponseSchema>;
export type WireEvent = MessageInitShape<typeof EventSchema>;
export type WorkerHandlers = Partial<ServiceImpl<typeof WorkerService>>;

/** An in-memory worker: the given WorkerService handlers, and a Health service that serves. */
export function memoryWorker(handlers: WorkerHandlers, serving = true): Transport {
  const status = serving ? HealthCheckResponse_ServingStatus.SERVING : HealthCheckResponse_ServingStatus.NOT_SERVING;
  return createRouterTransport(({ service }) => {
    service(WorkerService, handlers);
    service(Health, { check: () => ({ status }) });
  });
}

/** A worker whose Run handler is `script`, given the run's requests as RunRequests. */
export function runWorker(script: (requests: RunRequests, context: HandlerContext) => AsyncIterable<RunFrame>): Transport {
  return memoryWorker({ run: (requests, context) => script(new RunRequests(requests), context) });
}

/**
 * One Run's request stream, read by the handler: the start message first, then the
 * client's tool results and outputs. `next()` is undefined once the client half-closed.
 */
export class RunRequests {
  private readonly iterator: AsyncIterator<RunRequest>;

  constructor(requests: AsyncIterable<RunRequest>) {
    this.iterator = requests[Symbol.asyncIterator]();
  }

  async start(): Promise<RunStart> {
    const first = await this.next();
    if (first?.kind.case !== "start") throw new Error(`the run's first message is ${first?.kind.case ?? "missing"}, not start`);
    return first.kind.value;
  }

  async next(): Promise<RunRequest | undefined> {
    const result = await this.iterator.next();
    return result.done ? undefined : result.value;
  }
}

/** A frame of events. */
export function events(...list: WireEvent[]): RunFrame {
  return { kind: { case: "events", value: { events: list } } };
}

/** A status event: the simplest event with a seq. */
export function status(seq: number, message: string): WireEvent {
  return { seq, timeMs: Date.now(), kind: { case: "status", value: { message } } };
}

/** A batch item's outcome, as a shard's run reports it (index within the shard). */
export function item(seq: number, index: number, input: unknown, outcome: { output: unknown } | { error: string }): WireEvent {
  const value =
    "output" in outcome
      ? { index, inputJson: encodeJson(input, "input"), outputJson: encodeJson(outcome.output, "output") }
      : { index, inputJson: encodeJson(input, "input"), error: { code: Code.Internal, message: outcome.error, cause: "ValueError" } };
  return { seq, timeMs: Date.now(), kind: { case: "item", value } };
}

/** Progress of the run's own items. */
export function progress(seq: number, completed: number, total: number, failed: number): WireEvent {
  return { seq, timeMs: Date.now(), kind: { case: "progress", value: { completed, total, failed } } };
}

/** The worker asks the client to run a TypeScript tool. */
export function toolCall(callId: string, toolName: string, args: unknown, timeoutMs = 0): RunFrame {
  const argsJson = typeof args === "string" ? new TextEncoder().encode(args) : encodeJson(args, "args");
  return { kind: { case: "toolCall", value: { callId, toolName, argsJson, timeoutMs } } };
}

/** The run's terminal frame with a result; `eventCount` is what the worker claims it sent. */
export function done(result: unknown, eventCount: number, usage?: Usage): RunFrame {
  const value = {
    eventCount,
    outcome: { case: "resultJson" as const, value: encodeJson(result, "result") },
    ...(usage && {
      usage: {
        promptTokens: BigInt(usage.promptTokens),
        completionTokens: BigInt(usage.completionTokens),
        totalTokens: BigInt(usage.totalTokens),
      },
    }),
  };
  return { kind: { case: "done", value } };
}

/** The run's terminal frame with an error. */
export function doneWithError(code: Code, message: string, eventCount: number): RunFrame {
  return { kind: { case: "done", value: { eventCount, outcome: { case: "error", value: { code, message } } } } };
}
