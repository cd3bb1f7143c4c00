import type { ErrorEvent } from "../stream/event-types.js";

// Connect codes by name, for the errors the reader makes itself (a browser has no ConnectError).
const CODES = {
  Canceled: 1,
  Unknown: 2,
  InvalidArgument: 3,
  DeadlineExceeded: 4,
  NotFound: 5,
  PermissionDenied: 7,
  ResourceExhausted: 8,
  Unimplemented: 12,
  Internal: 13,
  Unavailable: 14,
  Unauthenticated: 16,
} as const;
type CodeName = keyof typeof CODES;

/** The terminal event of a stream the reader had to end itself: `seq` follows the last event it read. */
export function readerError(seq: number, name: CodeName, message: string): ErrorEvent {
  return { type: "error", seq, time: 0, code: CODES[name], message, cause: name };
}

/** Connect's HTTP mapping read backwards, for a route that answered with an HTTP error instead of a stream. */
export function statusCode(status: number): CodeName {
  const byStatus: Record<number, CodeName> = {
    400: "InvalidArgument",
    401: "Unauthenticated",
    403: "PermissionDenied",
    404: "NotFound",
    408: "DeadlineExceeded",
    429: "ResourceExhausted",
    499: "Canceled",
    501: "Unimplemented",
    502: "Unavailable",
    503: "Unavailable",
    504: "DeadlineExceeded",
  };
  return byStatus[status] ?? (status >= 500 ? "Internal" : "Unknown");
}

/** A network failure, or the reader's own abort (the fetch's signal): Canceled for the latter. */
export function transportCode(error: unknown): CodeName {
  return error instanceof Error && error.name === "AbortError" ? "Canceled" : "Unavailable";
}
