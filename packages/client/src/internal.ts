// Hooks for the sibling @dspy-connect packages only (`@dspy-connect/client/internal`): not
// part of the public API, and free to change between minor versions.
export { type ModuleParts, moduleOptions } from "./module-spec.js";
export { type ResolvedTools, RunTools } from "./tools/run-tools.js";
export { strictJson } from "./tools/strict-json.js";
export { createClientOnTransport, type TransportClientOptions } from "./transport-client.js";
