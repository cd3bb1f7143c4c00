import { Code, ConnectError } from "@dspy-connect/client";
import type { StreamEvent } from "./events.js";

export type EventHandler<R> = (event: StreamEvent<R>) => void | Promise<void>;

/**
 * A running DSPy operation: an AsyncIterable of typed events that always ends with `done`
 * or `error`, plus `result`, the final value (it rejects with a ConnectError on `error`).
 *
 * Iterate it once. Events are pulled from the worker as you read, so a slow reader slows
 * the Python side instead of growing a buffer. Leaving the loop early cancels the run.
 * If you only await `result` (or gave `onEvent`), the stream reads itself, calling
 * `onEvent` (awaited, so it can apply backpressure too) for each event.
 */
export class RunStream<R> implements AsyncIterable<StreamEvent<R>> {
  private source: AsyncIterable<StreamEvent<R>> | undefined;
  private readonly settled: Promise<R>;
  private settle!: { resolve: (value: R) => void; reject: (error: Error) => void };
  private drainScheduled = false;

  constructor(
    source: AsyncIterable<StreamEvent<R>>,
    private readonly onEvent?: EventHandler<R>,
  ) {
    this.source = source;
    this.settled = new Promise<R>((resolve, reject) => (this.settle = { resolve, reject }));
    this.settled.catch(() => undefined); // rejection is reported to whoever awaits `result`
    if (onEvent) this.scheduleDrain();
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
      else if (terminal?.type === "error") this.settle.reject(new ConnectError(terminal.message, terminal.code));
      else this.settle.reject(new ConnectError("the stream was closed before the run finished", Code.Canceled));
    }
  }

  private scheduleDrain(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    // Give a caller who reads `result` first and then iterates the chance to do so.
    setImmediate(() => {
      if (!this.source) return;
      void (async () => {
        for await (const event of this.observe(this.take())) await this.onEvent?.(event);
      })().catch((error: unknown) => this.settle.reject(ConnectError.from(error)));
    });
  }
}
