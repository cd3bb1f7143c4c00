import { type Code, ConnectError } from "../errors.js";

// ConnectError's instanceof accepts only its own prototype, so a fork failure is a plain
// ConnectError that carries this.
const FORK_FAILURE = Symbol.for("dspy-connect.fork-failure");

/**
 * Why a zygote could not fork a ready worker. `zygoteAtFault`: the zygote is unreachable or
 * refused (restart it); otherwise the child died or hung before its ready line, which a
 * spawned worker would likely do too (spawning it reports why, with its stderr).
 */
export interface ForkFailure {
  readonly zygoteAtFault: boolean;
  /** The child's pid, when the zygote had forked it (it is killed). */
  readonly pid: number | undefined;
}

export function forkError(message: string, code: Code, failure: ForkFailure): ConnectError {
  return Object.assign(new ConnectError(message, code), { [FORK_FAILURE]: failure });
}

/** The fork failure `error` reports, if it is one. */
export function forkFailureOf(error: unknown): ForkFailure | undefined {
  return error instanceof ConnectError ? (error as { [FORK_FAILURE]?: ForkFailure })[FORK_FAILURE] : undefined;
}
