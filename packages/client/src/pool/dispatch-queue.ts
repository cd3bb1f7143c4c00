import { Code, ConnectError } from "../errors.js";

interface Waiter<Req, T> {
  readonly request: Req;
  readonly resolve: (value: T) => void;
  readonly reject: (error: ConnectError) => void;
  readonly cleanup: () => void;
}

/**
 * Calls waiting for a worker slot, served first-come first-served among those a
 * worker can take (a strict-affinity call does not block the calls behind it).
 * Bounded in size and in wait time; the wait also ends at the call's deadline.
 */
export class DispatchQueue<Req, T> {
  private waiters: Waiter<Req, T>[] = [];

  constructor(
    private readonly maxSize: number,
    private readonly maxWaitMs: number,
  ) {}

  get size(): number {
    return this.waiters.length;
  }

  enqueue(request: Req, deadline: number, signal: AbortSignal | undefined): Promise<T> {
    if (this.waiters.length >= this.maxSize) {
      return Promise.reject(
        new ConnectError(`queue is full: ${this.maxSize} calls are already waiting for a worker`, Code.ResourceExhausted),
      );
    }
    return new Promise<T>((resolve, reject) => {
      const untilDeadline = deadline - Date.now();
      const waitMs = Math.max(0, Math.min(this.maxWaitMs, untilDeadline));
      const timer = setTimeout(() => {
        const byDeadline = untilDeadline <= this.maxWaitMs;
        settle(
          byDeadline
            ? new ConnectError(`deadline passed after ${waitMs} ms waiting for a worker`, Code.DeadlineExceeded)
            : new ConnectError(`no worker was free within ${waitMs} ms`, Code.ResourceExhausted),
        );
      }, waitMs);
      const onAbort = () => settle(new ConnectError("call aborted while waiting for a worker", Code.Canceled));
      signal?.addEventListener("abort", onAbort, { once: true });
      const waiter: Waiter<Req, T> = {
        request,
        resolve,
        reject,
        cleanup: () => {
          clearTimeout(timer);
          signal?.removeEventListener("abort", onAbort);
        },
      };
      const settle = (error: ConnectError) => {
        this.remove(waiter);
        reject(error);
      };
      this.waiters.push(waiter);
    });
  }

  /** Hands free slots to waiters in order; `pick` returns a slot or undefined. */
  drain(pick: (request: Req) => T | undefined): void {
    for (const waiter of [...this.waiters]) {
      const slot = pick(waiter.request);
      if (slot === undefined) continue;
      this.remove(waiter);
      waiter.resolve(slot);
    }
  }

  /** Rejects the waiters `test` gives an error for (their call can no longer be served). */
  rejectWhere(test: (request: Req) => ConnectError | undefined): void {
    for (const waiter of [...this.waiters]) {
      const error = test(waiter.request);
      if (!error) continue;
      this.remove(waiter);
      waiter.reject(error);
    }
  }

  rejectAll(error: ConnectError): void {
    for (const waiter of [...this.waiters]) {
      this.remove(waiter);
      waiter.reject(error);
    }
  }

  private remove(waiter: Waiter<Req, T>): void {
    const index = this.waiters.indexOf(waiter);
    if (index >= 0) this.waiters.splice(index, 1);
    waiter.cleanup();
  }
}
