export interface PullOptions {
  /** Aborting it cancels the run (for example the HTTP request's signal). */
  readonly signal?: AbortSignal | undefined;
}

export interface IdleChunk<T> {
  /** Milliseconds without an event before `chunk` is sent, and between two of them; 0: never. */
  readonly everyMs: number;
  readonly chunk: T;
}

/**
 * A ReadableStream over `events`, one `encode`d chunk per event, read only as the
 * consumer reads (high-water mark 0: nothing is read ahead, so backpressure reaches the
 * worker). `idle` chunks go out while the consumer waits on a slow run. Cancelling the
 * stream or aborting `signal` calls `cancelRun`; an event `encode` rejects errors the
 * stream and cancels the run too.
 */
export function pullReadable<E, T>(
  events: AsyncIterable<E>,
  cancelRun: () => void,
  encode: (event: E) => T,
  options: PullOptions & { readonly idle?: IdleChunk<T> } = {},
): ReadableStream<T> {
  const iterator = events[Symbol.asyncIterator]();
  const { signal, idle } = options;
  const onAbort = () => cancelRun();
  let open = true; // false once cancelled, closed or errored: nothing may be enqueued then
  const stop = async () => {
    open = false;
    signal?.removeEventListener("abort", onAbort);
    cancelRun();
    await iterator.return?.();
  };
  return new ReadableStream<T>(
    {
      start() {
        if (signal?.aborted) cancelRun();
        else signal?.addEventListener("abort", onAbort, { once: true });
      },
      async pull(controller) {
        const ticker = idle && idle.everyMs > 0 ? setInterval(() => open && controller.enqueue(idle.chunk), idle.everyMs) : undefined;
        try {
          const next = await iterator.next();
          if (!open) return; // cancelled while the worker was being read
          if (next.done) {
            open = false;
            signal?.removeEventListener("abort", onAbort);
            controller.close();
          } else {
            controller.enqueue(encode(next.value));
          }
        } catch (error) {
          if (!open) return;
          await stop();
          controller.error(error);
        } finally {
          clearInterval(ticker);
        }
      },
      cancel: stop,
    },
    { highWaterMark: 0 },
  );
}
