/**
 * Requests generated at once. Measured (docs/benchmarks.md, "slots"): on 2 cores, 1, 2 and 4
 * slots serve the same questions per second through the bridge, 2 keeps the two default
 * workers from queueing behind each other, and each slot costs ~100 MB of KV cache.
 */
export const DEFAULT_SLOTS = 2;
/** Tokens per slot, prompt and reply: DSPy's prompts for small signatures are ~300-1,500. */
export const DEFAULT_CONTEXT_SIZE = 4096;
