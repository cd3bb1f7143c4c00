import type { DescribeResponse } from "@dspy-connect/core-proto";
import type { ConnectError } from "../errors.js";
import { CLIENT_VERSION, PROTOCOL_VERSION, WORKER_VERSION } from "../version.js";
import { handshakeError } from "./handshake-error.js";
import { SETUP_COMMAND, type WorkerCommand } from "./worker-command.js";

/** Where a worker runs: the fix a refusal names depends on it. */
export type WorkerPlace =
  | { readonly kind: "local"; readonly id: string; readonly command: WorkerCommand }
  | { readonly kind: "remote"; readonly id: string; readonly url: string };

/**
 * The compatibility rule: the worker speaks this client's protocol version, and its package
 * has the client's major.minor version (0.x semver: a minor release may break; client and
 * worker are released together). Patch versions may differ. Returns the refusal, if any.
 */
export function checkWorker(
  reported: Pick<DescribeResponse, "workerVersion" | "protocolVersion">,
  place: WorkerPlace,
): ConnectError | undefined {
  const sameProtocol = reported.protocolVersion === PROTOCOL_VERSION;
  const sameRelease = majorMinor(reported.workerVersion) === majorMinor(WORKER_VERSION);
  if (sameProtocol && sameRelease) return undefined;
  const worker = `dspy-connect-worker ${reported.workerVersion || "(unknown version)"} (protocol ${reported.protocolVersion})`;
  const client = `@dspy-connect/client ${CLIENT_VERSION} (protocol ${PROTOCOL_VERSION})`;
  const rule = sameProtocol ? `worker and client must have the same major.minor version` : `worker and client must speak the same protocol`;
  return handshakeError(`${describePlace(place)} runs ${worker}, but this is ${client}: ${rule}. ${fixFor(place)}`);
}

/** A worker that does not answer Describe at all (Unimplemented) is no dspy-connect worker of this protocol. */
export function notAWorker(place: WorkerPlace, detail: string): ConnectError {
  return handshakeError(
    `${describePlace(place)} does not answer Describe (${detail}), so it is not a dspy-connect worker of protocol ${PROTOCOL_VERSION}. ${fixFor(place)}`,
  );
}

export function describePlace(place: WorkerPlace): string {
  return place.kind === "local"
    ? `worker ${place.id} (${pythonOf(place)}, ${SOURCES[place.command.source]})`
    : `remote worker ${place.id} at ${place.url}`;
}

function fixFor(place: WorkerPlace): string {
  const install = `pip install dspy-connect-worker==${WORKER_VERSION}`;
  return place.kind === "local"
    ? `Install the matching worker: \`${SETUP_COMMAND}\` (a managed environment the client finds by itself), ` +
        `or \`${install}\` into the Python environment of ${pythonOf(place)}.`
    : `Install the matching worker on that machine (\`${install}\`) and restart it.`;
}

function pythonOf(place: { readonly command: WorkerCommand }): string {
  return place.command.argv.join(" ");
}

const SOURCES: Record<WorkerCommand["source"], string> = {
  option: "the python option",
  DSPY_CONNECT_PYTHON: "from $DSPY_CONNECT_PYTHON",
  "managed environment": "the managed environment",
  default: "the default",
};

/** "0.1" from "0.1.0", "0.1.0-rc.1" or PEP 440's "0.1.0rc1"; the whole string if it is no version. */
function majorMinor(version: string): string {
  return /^v?(\d+)\.(\d+)/.exec(version.trim())?.slice(1, 3).join(".") ?? version;
}
