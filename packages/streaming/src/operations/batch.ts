import {
  Code,
  ConnectError,
  encodeJson,
  type ModuleDefinition,
  type SignatureInputs,
  toModuleSpec,
  type Usage,
} from "@dspy-connect/client";
import { moduleOptions, RunTools } from "@dspy-connect/client/internal";
import type { ErrorInfo, StreamEvent } from "../stream/events.js";
import { RunClock } from "../stream/run-clock.js";
import { runEvents } from "../stream/run-events.js";
import { RunStream } from "../stream/run-stream.js";
import { failed, type StreamOptions, type StreamTarget } from "../stream/target.js";

export interface BatchOptions extends StreamOptions<BatchSummary> {
  /** Items in flight at once, across all workers. Default 4. */
  readonly concurrency?: number;
  /** true: item events come in input order. false (default): as items complete. */
  readonly ordered?: boolean;
  /** Module keyword arguments. */
  readonly config?: Readonly<Record<string, unknown>>;
  readonly instructions?: string;
  readonly state?: unknown;
}

export interface BatchSummary {
  readonly total: number;
  readonly completed: number;
  readonly failed: number;
}

// Errors that would fail every shard the same way: the whole batch ends with them.
const WHOLE_BATCH_ERRORS: number[] = [
  Code.InvalidArgument,
  Code.FailedPrecondition,
  Code.NotFound,
  Code.Canceled,
  Code.DeadlineExceeded,
  Code.PermissionDenied,
  Code.Unauthenticated,
];

/** dspy.Predict over many inputs; see streamBatch. */
export function streamBatchPredict<S extends string>(
  target: StreamTarget & { readonly readyWorkers?: number },
  signature: S,
  items: readonly SignatureInputs<S>[],
  options: BatchOptions = {},
): RunStream<BatchSummary> {
  return streamBatch(target, { type: "predict", signature, ...moduleOptions(options) }, items, options);
}

/**
 * Runs a module over many inputs, spread across the ready workers (one run per worker,
 * items dealt round-robin). Emits `item_complete` / `item_error` with the item's index,
 * input and output, then `progress`. A failing item never fails the batch; a worker that
 * dies fails only its unfinished items (with Unavailable). An agent module's TypeScript
 * tools come in `options.tools`; each shard's run answers its own tool calls.
 */
export function streamBatch(
  target: StreamTarget & { readonly readyWorkers?: number },
  module: ModuleDefinition,
  items: readonly Readonly<Record<string, unknown>>[],
  options: BatchOptions = {},
): RunStream<BatchSummary> {
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const shards = Math.max(1, Math.min(target.readyWorkers ?? 1, concurrency, items.length));
  try {
    RunTools.resolve(target, options.tools); // bad tools fail the batch before any run starts
  } catch (error) {
    return new RunStream(failed<BatchSummary>(ConnectError.from(error)), options.onEvent);
  }
  const stop = new AbortController();
  const events = merge(target, module, items, shards, Math.ceil(concurrency / shards), options, stop);
  return new RunStream(events, options.onEvent, () => stop.abort());
}

async function* merge(
  target: StreamTarget,
  module: ModuleDefinition,
  items: readonly Readonly<Record<string, unknown>>[],
  shards: number,
  perShard: number,
  options: BatchOptions,
  stop: AbortController,
): AsyncGenerator<StreamEvent<BatchSummary>> {
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  const total = items.length;
  const finished = new Set<number>();
  const usage = { promptTokens: 0, completionTokens: 0, totalTokens: 0 };
  const readyInOrder = new Map<number, StreamEvent<BatchSummary>>();
  let nextInOrder = 0;
  const clock = new RunClock(); // shards' times, and the batch's own events, on one timeline
  let seq = 0;
  let failed = 0;

  const iterators = Array.from({ length: shards }, (_, shard) => {
    const shardItems = items.filter((_, i) => i % shards === shard);
    const { tools } = RunTools.resolve(target, options.tools);
    const channel = target.openRun(
      {
        tools: tools.specs(),
        operation: {
          case: "batch",
          value: {
            module: toModuleSpec(module),
            itemsJson: encodeJson(shardItems, "items"),
            concurrency: perShard,
            ordered: false,
          },
        },
      },
      { ...options, signal },
    );
    return runEvents<unknown>(channel, (v) => v, tools)[Symbol.asyncIterator]();
  });
  const pending = new Map(iterators.map((it, shard) => [shard, it.next().then((r) => ({ shard, r }))]));

  // Item events, renumbered, in the order the caller asked for, each followed by progress.
  function* emit(index: number, event: StreamEvent<BatchSummary>): Generator<StreamEvent<BatchSummary>> {
    finished.add(index);
    if (event.type === "item_error") failed++;
    if (options.ordered) {
      readyInOrder.set(index, event);
      while (readyInOrder.has(nextInOrder)) {
        const ready = readyInOrder.get(nextInOrder)!;
        readyInOrder.delete(nextInOrder++);
        yield* release(ready);
      }
    } else {
      yield* release(event);
    }
  }
  function* release(event: StreamEvent<BatchSummary>): Generator<StreamEvent<BatchSummary>> {
    yield { ...event, seq: ++seq, time: clock.stamp(event.time) };
    const completed = options.ordered ? nextInOrder : finished.size;
    yield { type: "progress", seq: ++seq, time: clock.stamp(), completed, total, failed };
  }
  function* failShard(shard: number, error: ErrorInfo): Generator<StreamEvent<BatchSummary>> {
    for (let index = shard; index < total; index += shards) {
      if (finished.has(index)) continue;
      yield* emit(index, { type: "item_error", seq: 0, time: clock.stamp(), index, input: items[index], error });
    }
  }

  try {
    while (pending.size > 0) {
      const { shard, r } = await Promise.race(pending.values());
      if (r.done) {
        pending.delete(shard);
        continue;
      }
      pending.set(
        shard,
        iterators[shard]!.next().then((next) => ({ shard, r: next })),
      );
      const event = r.value;
      switch (event.type) {
        case "item_complete":
        case "item_error": {
          const index = event.index * shards + shard;
          yield* emit(index, { ...event, index });
          break;
        }
        case "done": {
          const used = event.usage as Usage;
          usage.promptTokens += used.promptTokens;
          usage.completionTokens += used.completionTokens;
          usage.totalTokens += used.totalTokens;
          break;
        }
        case "error":
          if (WHOLE_BATCH_ERRORS.includes(event.code) || signal.aborted) {
            yield { ...event, seq: ++seq, time: clock.stamp(event.time) };
            return;
          }
          yield* failShard(shard, { code: event.code, message: event.message });
          break;
        case "progress":
          break; // replaced by whole-batch progress
        default:
          yield { ...event, seq: ++seq, time: clock.stamp(event.time) } as StreamEvent<BatchSummary>;
      }
    }
    yield { type: "done", seq: ++seq, time: clock.stamp(), result: { total, completed: finished.size, failed }, usage };
  } finally {
    stop.abort();
    await Promise.allSettled(iterators.map((it) => it.return?.(undefined)));
  }
}
