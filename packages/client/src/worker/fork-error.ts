import { type Code, ConnectError } from "../errors.js";

/**
 * A zygote could not fork a ready worker. `zygoteAtFault`: the zygote is unreachable or
 * refused (restart it); otherwise the child died or hung before its ready line, which a
 * spawned worker would likely do too (spawning it reports why, with its stderr).
 */
export class ForkError extends ConnectError {
  constructor(
    message: string,
    code: Code,
    readonly zygoteAtFault: boolean,
  ) {
    super(message, code);
    this.name = "ForkError";
  }
}
