import type { ErrorEvent } from "../stream/event-types.js";

/**
 * Why a streamed run failed, in the browser: `result` rejects with it on an `error` event.
 * `code` is the Connect code (1 Canceled, 3 InvalidArgument, 4 DeadlineExceeded,
 * 14 Unavailable, ...) and `cause` the Python exception type or the code's name, as on the
 * server's ConnectError and ErrorEvent.
 */
export class RunError extends Error {
  override readonly name = "RunError";
  readonly code: number;
  /** Where it happened, when known: a pipeline step's path. */
  readonly path: string | undefined;

  constructor(readonly event: ErrorEvent) {
    super(event.message, { cause: event.cause });
    this.code = event.code;
    this.path = event.path;
  }
}
