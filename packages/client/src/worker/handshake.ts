import type { DescribeResponse } from "@dspy-connect/core-proto";
import { Code, ConnectError } from "../errors.js";
import { checkWorker, describePlace, notAWorker, type WorkerPlace } from "./compatibility.js";
import type { ConnectionCheck } from "./connection.js";
import { handshakeError } from "./handshake-error.js";

/**
 * How long the handshake waits for a worker's warm-up (LiteLLM loaded, one completion run:
 * ~2 s alone, longer on a busy machine), so a worker takes calls only once they run without
 * waiting for it. A worker from before this ignores the request and answers at once.
 */
export const WARM_UP_TIMEOUT_MS = 60_000;

/**
 * The version handshake, run on every new connection to a worker: one Describe, answered once
 * the worker has warmed up, and the compatibility rule (compatibility.ts). A worker that is not answering yet fails with
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
      reply = await service.describe({ waitForWarmUp: true }, { timeoutMs: WARM_UP_TIMEOUT_MS });
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
