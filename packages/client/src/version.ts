import { createRequire } from "node:module";

// From the package's own package.json (src/ and dist/ both sit beside it), so a release's
// version bump is the only place the number changes.
const manifest = createRequire(import.meta.url)("../package.json") as { version: string };

/** This package's version; the worker it needs is `dspy-connect-worker` of the same release. */
export const CLIENT_VERSION: string = manifest.version;

/**
 * The PyPI form of an npm version, as `pnpm version-packages` writes the worker's
 * (scripts/sync-python-version.mjs): 1.2.0 as is, 1.2.0-beta.3 as 1.2.0b3.
 */
export function workerVersionOf(npmVersion: string): string {
  const match = /^(\d+\.\d+\.\d+)(?:-(alpha|beta|rc)\.(\d+))?$/.exec(npmVersion);
  if (!match) return npmVersion;
  const [, release, pre, number] = match;
  return pre ? `${release}${{ alpha: "a", beta: "b", rc: "rc" }[pre]}${number}` : (release as string);
}

/** The `dspy-connect-worker` version this client installs and expects. */
export const WORKER_VERSION: string = workerVersionOf(CLIENT_VERSION);

/**
 * The wire protocol this client speaks; a worker must report the same in Describe
 * (`protocol_version`; worker.proto says what bumps it). The worker's copy is
 * PROTOCOL_VERSION in python/src/dspy_connect/protocol.py: bump both in the same change.
 */
export const PROTOCOL_VERSION = 1;
