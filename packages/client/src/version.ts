import { createRequire } from "node:module";

// From the package's own package.json (src/ and dist/ both sit beside it), so a release's
// version bump is the only place the number changes.
const manifest = createRequire(import.meta.url)("../package.json") as { version: string };

/** This package's version; the worker it needs is `dspy-connect-worker` with the same number. */
export const CLIENT_VERSION: string = manifest.version;
