// Hooks for the sibling @dspy-connect packages only (`@dspy-connect/streaming/internal`), such
// as the composer adding its own operation: not part of the public API.
export { failed, startStream } from "./stream/target.js";
