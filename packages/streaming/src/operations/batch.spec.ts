// Batch bookkeeping against in-memory workers (no Python): items dealt across runs, indices
// mapped back, progress counted, ordered and completion order, and failures kept per item.
import type { Transport } from "@connectrpc/connect";
import { Code, ConnectError, type DspyClient, decodeJson } from "@dspy-connect/client";
import { createClientOnTransport } from "@dspy-connect/client/internal";
import { done, events, item, progress, runWorker } from "@dspy-connect/test-support/memory-worker";
import { afterEach, describe, expect, it } from "vitest";
import type { StreamEvent } from "../stream/events.js";
import { type BatchOptions, type BatchSummary, streamBatchPredict } from "./batch.js";

interface Item {
  readonly n: number;
}

interface Behaviour {
  /** Report the run's items last to first. */
  readonly reverse?: boolean;
  /** After this many items, the run fails with this error. */
  readonly failAfter?: { readonly items: number; readonly error: ConnectError };
}

/** What one worker's batch run was given. */
interface Shard {
  readonly items: Item[];
  readonly concurrency: number;
}

/** A worker that answers each item `a<n>`, fails items whose n is negative, and counts 1/2 tokens per item. */
function batchWorker(shards: Shard[], behaviour: Behaviour = {}): Transport {
  return runWorker(async function* (requests) {
    const start = await requests.start();
    if (start.operation.case !== "batch") throw new ConnectError("not a batch run", Code.InvalidArgument);
    const items = decodeJson<Item[]>(start.operation.value.itemsJson);
    shards.push({ items, concurrency: start.operation.value.concurrency });
    const order = items.map((_, i) => i);
    if (behaviour.reverse) order.reverse();
    let seq = 0;
    let failed = 0;
    for (const [finished, index] of order.entries()) {
      if (behaviour.failAfter?.items === finished) throw behaviour.failAfter.error;
      const input = items[index]!;
      const outcome = input.n < 0 ? { error: `item ${input.n} is negative` } : { output: { answer: `a${input.n}` } };
      if (input.n < 0) failed++;
      yield events(item(++seq, index, input, outcome), progress(++seq, finished + 1, items.length, failed));
    }
    const usage = { promptTokens: items.length, completionTokens: 2 * items.length, totalTokens: 3 * items.length };
    yield done({ total: items.length }, seq, usage);
  });
}

const clients: DspyClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

async function onWorkers(transports: Transport[]): Promise<DspyClient> {
  const client = await createClientOnTransport(transports, { logger: {} });
  clients.push(client);
  return client;
}

async function batch(client: DspyClient, items: Item[], options: BatchOptions = {}): Promise<StreamEvent<BatchSummary>[]> {
  const seen: StreamEvent<BatchSummary>[] = [];
  for await (const event of streamBatchPredict(client, "n: int -> answer", items, options)) seen.push(event);
  return seen;
}

const itemsOf = (count: number, negative: number[] = []): Item[] =>
  Array.from({ length: count }, (_, i) => ({ n: negative.includes(i) ? -i : i }));
const indices = (seen: StreamEvent[]) => seen.flatMap((e) => (e.type === "item_complete" || e.type === "item_error" ? [e.index] : []));
const progressCounts = (seen: StreamEvent[]) => seen.flatMap((e) => (e.type === "progress" ? [[e.completed, e.total, e.failed]] : []));

describe("streamBatch over in-memory workers", () => {
  it("deals items round-robin to one run per worker and maps each result back to its input", async () => {
    const shards: Shard[] = [];
    const client = await onWorkers([batchWorker(shards), batchWorker(shards)]);
    const items = itemsOf(5);
    const seen = await batch(client, items, { concurrency: 4 });

    expect(shards.map((s) => s.items.map((i) => i.n)).sort()).toEqual([
      [0, 2, 4],
      [1, 3],
    ]);
    expect(shards.map((s) => s.concurrency)).toEqual([2, 2]);
    expect(indices(seen).sort()).toEqual([0, 1, 2, 3, 4]);
    for (const event of seen) {
      if (event.type === "item_complete") {
        expect(event.input).toEqual(items[event.index]);
        expect(event.output).toEqual({ answer: `a${event.index}` });
      }
    }
    // Each item event is followed by whole-batch progress; the runs' own progress is dropped.
    expect(seen.map((e) => e.type)).toEqual([...Array.from({ length: 5 }, () => ["item_complete", "progress"]).flat(), "done"]);
    expect(progressCounts(seen)).toEqual([1, 2, 3, 4, 5].map((completed) => [completed, 5, 0]));
    expect(seen.map((e) => e.seq)).toEqual(seen.map((_, i) => i + 1));
    expect(seen.at(-1)).toMatchObject({
      type: "done",
      result: { total: 5, completed: 5, failed: 0 },
      usage: { promptTokens: 5, completionTokens: 10, totalTokens: 15 },
    });
  });

  it("starts no more runs than the concurrency allows", async () => {
    const shards: Shard[] = [];
    const client = await onWorkers([batchWorker(shards), batchWorker(shards)]);
    await batch(client, itemsOf(3), { concurrency: 1 });
    expect(shards).toEqual([{ items: itemsOf(3), concurrency: 1 }]);
  });

  it("emits items as they complete by default, and in input order when ordered", async () => {
    const completion = await onWorkers([batchWorker([], { reverse: true })]);
    const unordered = await batch(completion, itemsOf(4));
    expect(indices(unordered)).toEqual([3, 2, 1, 0]);
    expect(progressCounts(unordered)).toEqual([1, 2, 3, 4].map((completed) => [completed, 4, 0]));

    const ordered = await batch(completion, itemsOf(4), { ordered: true });
    expect(indices(ordered)).toEqual([0, 1, 2, 3]);
    expect(progressCounts(ordered)).toEqual([1, 2, 3, 4].map((completed) => [completed, 4, 0]));

    const twoWorkers = await onWorkers([batchWorker([], { reverse: true }), batchWorker([], { reverse: true })]);
    expect(indices(await batch(twoWorkers, itemsOf(7), { ordered: true }))).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it("reports a failing item as item_error and still finishes the batch", async () => {
    const client = await onWorkers([batchWorker([]), batchWorker([])]);
    const items = itemsOf(5, [3]);
    const stream = streamBatchPredict(client, "n: int -> answer", items);
    const seen: StreamEvent<BatchSummary>[] = [];
    for await (const event of stream) seen.push(event);

    const errors = seen.filter((e) => e.type === "item_error");
    expect(errors).toEqual([
      expect.objectContaining({ index: 3, input: { n: -3 }, error: expect.objectContaining({ message: "item -3 is negative" }) }),
    ]);
    expect(progressCounts(seen).at(-1)).toEqual([5, 5, 1]);
    await expect(stream.result).resolves.toEqual({ total: 5, completed: 5, failed: 1 });
  });

  it("fails only the unfinished items of a run that fails, with the run's error", async () => {
    const healthy: Shard[] = [];
    const failing: Shard[] = [];
    const broken = new ConnectError("the module raised", Code.Internal);
    const client = await onWorkers([batchWorker(healthy), batchWorker(failing, { failAfter: { items: 1, error: broken } })]);
    const items = itemsOf(6);
    const stream = streamBatchPredict(client, "n: int -> answer", items, { concurrency: 2 });
    const seen: StreamEvent<BatchSummary>[] = [];
    for await (const event of stream) seen.push(event);

    // The failing worker answered its first item; the rest of its items fail with its error.
    const lost = failing[0]!.items.slice(1).map((i) => i.n);
    const errors = seen.filter((e) => e.type === "item_error");
    expect(errors.map((e) => e.index).sort()).toEqual(lost.sort());
    for (const e of errors) expect(e.error).toEqual({ code: Code.Internal, message: "the module raised" });
    expect(indices(seen).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    await expect(stream.result).resolves.toEqual({ total: 6, completed: 6, failed: lost.length });
  });

  it("ends the whole batch with an error every run would share", async () => {
    const refused = new ConnectError("unknown module type", Code.InvalidArgument);
    const client = await onWorkers([batchWorker([], { failAfter: { items: 0, error: refused } })]);
    const stream = streamBatchPredict(client, "n: int -> answer", itemsOf(3));
    const seen: StreamEvent<BatchSummary>[] = [];
    for await (const event of stream) seen.push(event);
    expect(seen.map((e) => e.type)).toEqual(["error"]);
    await expect(stream.result).rejects.toMatchObject({ code: Code.InvalidArgument, rawMessage: "unknown module type" });
  });
});
