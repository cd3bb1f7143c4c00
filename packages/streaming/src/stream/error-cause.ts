import { Code, type ConnectError } from "@dspy-connect/client";

/**
 * The `cause` of an error the worker did not describe (a timeout, an abort, a dead
 * worker): the code's name, as the worker names its own errors ("DeadlineExceeded").
 */
export function errorCause(code: Code | number): string {
  return Code[code] ?? "Unknown";
}

export function clientError(error: ConnectError): { code: number; message: string; cause: string } {
  return { code: error.code, message: error.rawMessage, cause: errorCause(error.code) };
}
