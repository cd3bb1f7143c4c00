import { createClient, type DspyClient } from "@dspy-connect/client";

/** The LM, as the other sample apps pick it: DSPY_CONNECT_LM, else the embedded local model. */
export const lm = process.env.DSPY_CONNECT_LM ?? "local";

/** Two workers: the panels' runs (and a batch's shards) run side by side. */
export function startClient(): Promise<DspyClient> {
  return createClient({ workers: 2, lm });
}
