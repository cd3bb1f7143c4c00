import type { LlamaContext, LlamaContextSequence } from "node-llama-cpp";
import { LlamaCompletion } from "node-llama-cpp";

/** One sequence of the model's context, with the completion that keeps its KV cache. */
export interface Slot {
  readonly sequence: LlamaContextSequence;
  readonly completion: LlamaCompletion;
}

/**
 * The context's sequences, lent one request at a time. Requests beyond them wait in arrival
 * order. A request goes back to the slot whose cached tokens share the longest prefix with
 * its prompt, so a repeated system prompt is evaluated once per slot, not once per request.
 */
export class SlotPool {
  private lent = 0;
  private readonly free: Slot[];
  private readonly waiting: { prompt: readonly number[]; resolve: (slot: Slot) => void; signal?: AbortSignal }[] = [];

  constructor(context: LlamaContext) {
    this.free = Array.from({ length: context.totalSequences }, () => {
      const sequence = context.getSequence();
      return { sequence, completion: new LlamaCompletion({ contextSequence: sequence }) };
    });
  }

  get size(): number {
    return this.free.length + this.lent;
  }

  /** Slots generating now. */
  get busy(): number {
    return this.lent;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** A slot for `prompt` (its tokens); rejects with the signal's reason if it aborts first. */
  acquire(prompt: readonly number[], signal?: AbortSignal): Promise<Slot> {
    signal?.throwIfAborted();
    if (this.free.length > 0) return Promise.resolve(this.take(this.bestFor(prompt)));
    return new Promise((resolve, reject) => {
      const entry = { prompt, resolve, signal };
      this.waiting.push(entry);
      signal?.addEventListener(
        "abort",
        () => {
          const at = this.waiting.indexOf(entry);
          if (at >= 0) this.waiting.splice(at, 1);
          reject(signal.reason);
        },
        { once: true },
      );
    });
  }

  release(slot: Slot): void {
    this.lent--;
    this.free.push(slot);
    const next = this.waiting.shift();
    if (next) next.resolve(this.take(this.bestFor(next.prompt)));
  }

  private take(at: number): Slot {
    this.lent++;
    return this.free.splice(at, 1)[0]!;
  }

  private bestFor(prompt: readonly number[]): number {
    let best = 0;
    let bestShared = -1;
    this.free.forEach((slot, i) => {
      const shared = sharedPrefix(slot.sequence.contextTokens, prompt);
      if (shared > bestShared) [best, bestShared] = [i, shared];
    });
    return best;
  }
}

/** How many leading tokens two token lists share: the KV cache a slot can reuse for a prompt. */
export function sharedPrefix(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}
