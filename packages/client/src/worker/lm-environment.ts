import type { DescribeResponse } from "@dspy-connect/core-proto";
import { Code, ConnectError } from "../errors.js";
import type { LmOption } from "../options.js";

/**
 * The up-front key check. Each worker asks LiteLLM (`validate_environment`, local, no
 * network) what its default LM needs, and reports what its environment lacks in Describe.
 * Fails with FailedPrecondition, naming the variables, when the client's calls would use
 * such an LM: the client's own `lm` (which local workers take as their default), or with
 * none, the worker's. An LM given an apiKey or apiBase is not checked (self-hosted servers
 * often need no key). Per-call LMs get the same check in the worker, before any work.
 */
export function checkLmEnvironment(lm: LmOption | undefined, workers: readonly DescribeResponse[]): void {
  const settings = typeof lm === "string" ? { model: lm } : lm;
  if (settings && (("apiKey" in settings && settings.apiKey) || ("apiBase" in settings && settings.apiBase))) return;
  for (const info of workers) {
    const model = info.lm?.model ?? "";
    if (info.lmMissingKeys.length === 0 || (settings && model !== settings.model)) continue;
    throw new ConnectError(
      `lm "${model}" needs ${info.lmMissingKeys.join(", ")} in the environment of worker ${info.workerId} ` +
        "(LiteLLM's validate_environment), or pass lm: { model, apiKey }",
      Code.FailedPrecondition,
    );
  }
}
