import { Code, ConnectError } from "../errors.js";

// A marker, not a subclass: ConnectError's instanceof check treats any subclass as the base.
const handshakeErrors = new WeakSet<object>();

/**
 * An error of the version handshake that a retry will not fix: the worker's versions differ
 * from the client's (FailedPrecondition), or it rejects the client's token (Unauthenticated,
 * PermissionDenied).
 */
export function handshakeError(message: string, code: Code = Code.FailedPrecondition): ConnectError {
  const error = new ConnectError(message, code);
  handshakeErrors.add(error);
  return error;
}

export function isHandshakeError(error: unknown): error is ConnectError {
  return typeof error === "object" && error !== null && handshakeErrors.has(error);
}
