import { homedir } from "node:os";
import { join } from "node:path";

/** Where models are kept: $DSPY_CONNECT_CACHE_DIR, else $XDG_CACHE_HOME or ~/.cache, under dspy-connect/models. */
export function modelCacheDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const base = env.DSPY_CONNECT_CACHE_DIR || join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "dspy-connect");
  return join(base, "models");
}
