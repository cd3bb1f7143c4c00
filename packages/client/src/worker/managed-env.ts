import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { workerVersionOf } from "../version.js";

type Env = Readonly<Record<string, string | undefined>>;

/** The file `dspy-connect setup` writes last: an environment without it is incomplete. */
export const MANAGED_ENV_STAMP = "dspy-connect-env.json";

export interface ManagedEnvStamp {
  readonly workerVersion: string;
  readonly pythonVersion: string;
  /** What the worker was installed from: "PyPI", a --find-links folder or a wheel path. */
  readonly source: string;
  readonly createdAt: string;
}

export interface ManagedEnv {
  readonly dir: string;
  readonly python: string;
  readonly stamp: ManagedEnvStamp;
}

/** $DSPY_CONNECT_CACHE_DIR, else $XDG_CACHE_HOME or ~/.cache, under dspy-connect (models live beside). */
export function cacheBase(env: Env = process.env): string {
  return env.DSPY_CONNECT_CACHE_DIR || join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "dspy-connect");
}

/** One virtual environment per worker version, so clients of different versions coexist. */
export function managedEnvDir(version: string, env: Env = process.env): string {
  return join(cacheBase(env), "workers", version);
}

export function managedEnvPython(dir: string): string {
  return join(dir, "bin", "python");
}

/** The environment `dspy-connect setup` made for this version, if it finished. */
export function findManagedEnv(version: string, env: Env = process.env): ManagedEnv | undefined {
  const dir = managedEnvDir(version, env);
  const python = managedEnvPython(dir);
  const stampPath = join(dir, MANAGED_ENV_STAMP);
  if (!existsSync(stampPath) || !existsSync(python)) return undefined;
  try {
    const stamp = JSON.parse(readFileSync(stampPath, "utf8")) as ManagedEnvStamp;
    return stamp.workerVersion === workerVersionOf(version) ? { dir, python, stamp } : undefined;
  } catch {
    return undefined;
  }
}
