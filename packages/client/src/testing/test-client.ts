import { createClientWithLmOverride, type DspyClient } from "../client.js";
import type { ClientOptions } from "../options.js";
import { scriptedLm } from "./scripted-lm.js";

/** What makes a worker load the scripted providers (python: dspy_connect.worker.server). */
export const TEST_PROVIDERS_ENV = "DSPY_CONNECT_TEST_PROVIDERS";

/**
 * createClient for your own tests: real workers over their real sockets, with the scripted
 * LM providers enabled and `scriptedLm.echo` as the default LM, so no model server starts,
 * no key is needed and every answer is deterministic. One worker unless `workers` says
 * otherwise. $DSPY_CONNECT_LM is ignored here; every other option is createClient's.
 */
export function createTestClient(options: ClientOptions = {}): Promise<DspyClient> {
  return createClientWithLmOverride(
    {
      ...options,
      workers: options.workers ?? (options.remote?.length ? 0 : 1),
      lm: options.lm ?? scriptedLm.echo,
      env: { ...options.env, [TEST_PROVIDERS_ENV]: "1" },
    },
    undefined,
  );
}
