import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { CLIENT_VERSION, WORKER_VERSION } from "../version.js";
import {
  findManagedEnv,
  MANAGED_ENV_STAMP,
  type ManagedEnv,
  type ManagedEnvStamp,
  managedEnvDir,
  managedEnvPython,
} from "../worker/managed-env.js";
import { importLocalLm, LOCAL_LM_INSTALL } from "./local-model.js";
import { probePython } from "./python-probe.js";
import { runCommand } from "./run-command.js";
import { ensureUv } from "./uv.js";

// The worker's dependencies at the versions this release was tested with (python/uv.lock).
const TESTED_VERSIONS = fileURLToPath(new URL("../../worker-constraints.txt", import.meta.url));
const WORKER_PACKAGE = "dspy-connect-worker";

export interface SetupOptions {
  /** Folders of wheels to install from besides PyPI (offline installs, tests). */
  readonly findLinks: readonly string[];
  /** A dspy-connect-worker wheel to install instead of the PyPI release. */
  readonly wheel?: string | undefined;
  /** uv's --python: a version ("3.12") or an interpreter path. Default: any Python >= 3.11. */
  readonly python?: string | undefined;
  /** Also fetch the embedded LM's model: the default one, or this name. */
  readonly localModel?: string | true | undefined;
  /** Resolve the worker's dependencies within its ranges instead of the tested versions. */
  readonly unpinned: boolean;
  /** Rebuild the environment even if it is complete. */
  readonly force: boolean;
  readonly log: (line: string) => void;
}

/** Makes (or finds) the managed environment for this client's worker version. */
export async function setup(options: SetupOptions): Promise<ManagedEnv> {
  let env = options.force ? undefined : findManagedEnv(CLIENT_VERSION);
  if (env) options.log(`${WORKER_PACKAGE} ${WORKER_VERSION} is already set up in ${env.dir} (--force rebuilds it)`);
  else env = await createEnv(options);
  if (options.localModel !== undefined) await prepareLocalModel(options.localModel, options.log);
  return env;
}

async function createEnv(options: SetupOptions): Promise<ManagedEnv> {
  const uv = await ensureUv(options.log);
  const dir = managedEnvDir(CLIENT_VERSION);
  const python = managedEnvPython(dir);
  options.log(`creating ${dir}`);
  // --clear replaces only a virtual environment (an earlier, unfinished setup), nothing else.
  await mustRun([uv, "venv", "--clear", "--quiet", "--python", options.python ?? ">=3.11", dir], "uv venv");
  const requirement = options.wheel ? resolve(options.wheel) : `${WORKER_PACKAGE}==${WORKER_VERSION}`;
  options.log(`installing ${requirement}${options.unpinned ? "" : " with its tested dependency versions"}`);
  await mustRun(
    [
      uv,
      "pip",
      "install",
      "--python",
      python,
      // Wheels only: nothing compiles. Bytecode now, so a worker doesn't compile LiteLLM at start.
      "--no-build",
      "--compile-bytecode",
      ...options.findLinks.flatMap((f) => ["--find-links", resolve(f)]),
      ...(options.unpinned ? [] : ["--constraints", TESTED_VERSIONS]),
      requirement,
    ],
    "uv pip install",
  );
  const probe = await probePython([python]);
  if (typeof probe === "string") throw new Error(`the new environment's Python does not run: ${probe}`);
  if (probe.worker !== WORKER_VERSION) {
    throw new Error(`installed ${WORKER_PACKAGE} ${probe.worker ?? "(none)"}, but this client needs ${WORKER_VERSION}`);
  }
  const stamp: ManagedEnvStamp = {
    workerVersion: probe.worker,
    pythonVersion: probe.python,
    source: options.wheel ? resolve(options.wheel) : options.findLinks.length ? options.findLinks.join(", ") : "PyPI",
    createdAt: new Date().toISOString(),
  };
  // Written last: an environment without it is not found, and the next setup replaces it.
  writeFileSync(join(dir, MANAGED_ENV_STAMP), `${JSON.stringify(stamp, null, 2)}\n`);
  options.log(`ready: ${WORKER_PACKAGE} ${probe.worker} on Python ${probe.python}; createClient() finds it by itself`);
  return { dir, python, stamp };
}

async function prepareLocalModel(model: string | true, log: (line: string) => void): Promise<void> {
  const localLm = await importLocalLm();
  if (!localLm) throw new Error(`the embedded LM needs its package: ${LOCAL_LM_INSTALL}, then run this again`);
  const resolved = await localLm.resolveModel(model === true ? process.env.DSPY_CONNECT_LOCAL_MODEL : model, { log });
  log(`local model: ${resolved.id} at ${resolved.path}`);
}

async function mustRun(argv: readonly string[], what: string): Promise<void> {
  const result = await runCommand(argv, { show: true });
  if (result.code !== 0) throw new Error(`${what} failed (${result.code === null ? result.stderr : `exit code ${result.code}`})`);
}
