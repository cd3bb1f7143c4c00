import { Code, ConnectError } from "../errors.js";

// A worker reports a setup mistake (a missing plugin, a weak token) in one stderr line with
// this prefix and exits with code 2 (python: dspy_connect.worker.__main__).
const STARTUP_LINE = /^dspy_connect\.worker: (.+)$/m;

/** A worker that refused to start over a setup mistake becomes FailedPrecondition with its reason. */
export function explainStartupError(error: unknown, slot: string): unknown {
  if (!(error instanceof ConnectError) || !/exited with code 2 before it was ready/.test(error.rawMessage)) return error;
  const reason = STARTUP_LINE.exec(error.rawMessage)?.[1];
  if (!reason) return error;
  return new ConnectError(`worker ${slot} did not start: ${reason}`, Code.FailedPrecondition, undefined, undefined, error);
}
