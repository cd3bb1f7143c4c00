import { Code, ConnectError } from "@connectrpc/connect";

export { Code, ConnectError };

// How a dead worker's socket looks to connect-node: rarely Unavailable, usually
// Internal or Aborted with a Node socket/HTTP2 error underneath.
const GONE_PATTERN = /ENOENT|ECONNREFUSED|ECONNRESET|EPIPE|ERR_HTTP2|socket hang up|stream closed|GOAWAY|session closed|premature close/i;

export function isWorkerGoneError(error: unknown): boolean {
  if (!(error instanceof ConnectError)) return false;
  if (error.code === Code.Unavailable) return true;
  if (![Code.Internal, Code.Unknown, Code.Aborted].includes(error.code)) return false;
  return GONE_PATTERN.test(describeChain(error));
}

export function workerGoneError(workerId: string, detail: string, cause?: unknown): ConnectError {
  return new ConnectError(`worker ${workerId} is gone: ${detail}`, Code.Unavailable, undefined, undefined, cause);
}

function describeChain(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error, depth = 0; e && depth < 8; depth++) {
    if (e instanceof Error) {
      parts.push(e.message, String((e as { code?: unknown }).code ?? ""));
      e = e.cause;
    } else {
      parts.push(String(e));
      break;
    }
  }
  return parts.join(" ");
}
