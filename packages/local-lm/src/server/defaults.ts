/** Requests generated at once. Chosen by measurement: docs/benchmarks.md, "slots". */
export const DEFAULT_SLOTS = 4;
/** Tokens per slot, prompt and reply: DSPy's prompts for small signatures are ~300-1,500. */
export const DEFAULT_CONTEXT_SIZE = 4096;
