import type { ClientOptions, DspyClient } from "@dspy-connect/client";
import { startClient as startTestClient, TEST_PLUGINS } from "@dspy-connect/test-support";

export { collect, ofType, rssMiB, waitFor } from "@dspy-connect/test-support";

/** A real pool with the scripted LM; workers also load the `flaky` module for retry tests. */
export function startClient(options: ClientOptions = {}): Promise<DspyClient> {
  return startTestClient({ imports: [...TEST_PLUGINS, "dspy_connect.testing.pipeline_plugins"], ...options });
}
