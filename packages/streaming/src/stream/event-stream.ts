import type { ErrorEvent, StreamEvent } from "./event-types.js";

export type EventHandler<R> = (event: StreamEvent<R>) => void | Promise<void>;

/** How a kind of stream turns its ending into an Error, and how it defers work. */
// Method signatures, here and in `settle`: a stream of a specific result type is then also
// a stream of `unknown` (RunStream<{ answer: string }> where RunStream<unknown> is asked for).
export interface EventStreamHooks<R> {
  onEvent?(event: StreamEvent<R>): void | Promise<void>;
  /** `result`'s rejection: for the terminal `error` event, or for a stream that ended without a terminal event. */
  failure(terminal: ErrorEvent | undefined): Error;
  /** `result`'s rejection when `onEvent` threw. */
  handlerFailure(error: unknown): Error;
  /** Runs `task` after the caller's current turn (setImmediate in Node, a timer in a browser). */
  defer(task: () => void): void;
}

/**
 * The shape every stream has, on the server (RunStream) and in the browser (readEvents):
 * an AsyncIterable of typed events that ends with `done` or `error`, plus `result`, the
 * final value (it rejects on `error`). Iterate it once; awaiting `result` alone (or giving
 * `onEvent`) makes it read itself. No runtime imports: the browser entry uses it as is.
 */
export class EventStream<R> implements AsyncIterable<StreamEvent<R>> {
  private source: AsyncIterable<StreamEvent<R>> | undefined;
  private readonly settled: Promise<R>;
  private settle!: { resolve(value: R): void; reject(error: Error): void };
  private drainScheduled = false;

  constructor(
    source: AsyncIterable<StreamEvent<R>>,
    private readonly hooks: EventStreamHooks<R>,
  ) {
    this.source = source;
    this.settled = new Promise<R>((resolve, reject) => (this.settle = { resolve, reject }));
    this.settled.catch(() => undefined); // rejection is reported to whoever awaits `result`
    if (hooks.onEvent) this.scheduleDrain();
  }

  /** The operation's final value. Awaiting it without iterating consumes the stream. */
  get result(): Promise<R> {
    this.scheduleDrain();
    return this.settled;
  }

  [Symbol.asyncIterator](): AsyncIterator<StreamEvent<R>> {
    const source = this.take();
    return this.observe(source)[Symbol.asyncIterator]();
  }

  private take(): AsyncIterable<StreamEvent<R>> {
    const source = this.source;
    if (!source) throw new TypeError("this stream is already being consumed (iterate it once; `result` and `onEvent` read it too)");
    this.source = undefined;
    return source;
  }

  // Settles `result` once the terminal event has been handed to the reader, so every
  // event (the terminal one too) is seen before `result` resolves.
  private async *observe(source: AsyncIterable<StreamEvent<R>>): AsyncGenerator<StreamEvent<R>> {
    let terminal: StreamEvent<R> | undefined;
    try {
      for await (const event of source) {
        if (event.type === "done" || event.type === "error") terminal = event;
        yield event;
      }
    } finally {
      if (terminal?.type === "done") this.settle.resolve(terminal.result);
      else this.settle.reject(this.hooks.failure(terminal?.type === "error" ? terminal : undefined));
    }
  }

  private scheduleDrain(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    // Give a caller who reads `result` first and then iterates the chance to do so.
    this.hooks.defer(() => {
      if (!this.source) return;
      void (async () => {
        for await (const event of this.observe(this.take())) await this.hooks.onEvent?.(event);
      })().catch((error: unknown) => this.settle.reject(this.hooks.handlerFailure(error)));
    });
  }
}
