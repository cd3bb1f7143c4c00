import type { DescribeResponse } from "@dspy-connect/core-proto";
import { Code, ConnectError } from "../errors.js";
import { checkWorker, describePlace, notAWorker, type WorkerPlace } from "./compatibility.js";
import type { ConnectionCheck } from "./connection.js";
import { handshakeError } from "./handshake-error.js";

export const HANDSHAKE_TIMEOUT_MS = 5_000;

/**
 * The version handshake, run on every new connection to a worker: one Describe, and the
 * compatibility rule (compatibility.ts). A worker that is not answering yet fails with
 * Unavailable, as a failed health check would; an incompatible worker, or one that rejects
 * the client's token, fails with a handshakeError (handshake-error.ts).
 */
export function handshake(place: WorkerPlace, onRefused: (error: ConnectError) => void): ConnectionCheck {
  const refuse = (error: ConnectError): never => {
    onRefused(error);
    throw error;
  };
  return async (service) => {
    let reply: DescribeResponse;
    try {
      reply = await service.describe({}, { timeoutMs: HANDSHAKE_TIMEOUT_MS });
    } catch (error) {
      const cause = ConnectError.from(error);
      if (cause.code === Code.Unimplemented) return refuse(notAWorker(place, cause.rawMessage));
      if (cause.code === Code.Unauthenticated || cause.code === Code.PermissionDenied) {
        return refuse(handshakeError(`${describePlace(place)} refused the client's token: ${cause.rawMessage}`, cause.code));
      }
      throw new ConnectError(
        `${describePlace(place)} did not answer Describe: ${cause.rawMessage}`,
        Code.Unavailable,
        undefined,
        undefined,
        cause,
      );
    }
    const refusal = checkWorker(reply, place);
    if (refusal) refuse(refusal);
  };
}
