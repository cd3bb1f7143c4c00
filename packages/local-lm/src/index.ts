export { modelCacheDir } from "./models/cache-dir.js";
export { LOCAL_MODELS, type LocalModel, type RegistryPart } from "./models/catalogue.js";
export { type PrepareOptions, prepareModel, sha256File } from "./models/prepare.js";
export { DEFAULT_LOCAL_MODEL, findLocalModel, type ResolvedModel, resolveModel } from "./models/resolve.js";
export { DEFAULT_CONTEXT_SIZE, DEFAULT_SLOTS } from "./server/defaults.js";
export type { PromptFormat } from "./server/prompt.js";
export { READY_PREFIX } from "./server/serve.js";

/** The server's command line entry: run it with `node` (the client does, in a child process). */
export const serverEntry: string = new URL("./cli.js", import.meta.url).pathname;
