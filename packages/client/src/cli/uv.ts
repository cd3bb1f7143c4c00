import { existsSync } from "node:fs";
import { join } from "node:path";
import { cacheBase } from "../worker/managed-env.js";
import { runCommand } from "./run-command.js";

// The uv fetched from PyPI when the machine has none (as this repo's own bootstrap does).
const UV_VERSION = "0.13.9";

type Log = (line: string) => void;

/** uv from $DSPY_CONNECT_UV, PATH, or our cache; undefined when there is none. */
export async function findUv(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const cached = join(cacheBase(env), "uv", "bin", "uv");
  for (const candidate of [env.DSPY_CONNECT_UV, "uv", cached]) {
    if (!candidate || (candidate === cached && !existsSync(cached))) continue;
    if ((await runCommand([candidate, "--version"], { env })).code === 0) return candidate;
  }
  return undefined;
}

/** uv, installed from PyPI with the machine's Python when it is missing. */
export async function ensureUv(log: Log, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const found = await findUv(env);
  if (found) return found;
  const target = join(cacheBase(env), "uv");
  log(`uv not found: installing uv ${UV_VERSION} from PyPI into ${target}`);
  const pip = await runCommand(["python3", "-m", "pip", "install", "--quiet", "--target", target, `uv==${UV_VERSION}`], {
    show: true,
    env,
  });
  const uv = join(target, "bin", "uv");
  if (pip.code !== 0 || !existsSync(uv)) {
    throw new Error(
      `could not install uv with python3 -m pip (${pip.stderr.trim() || `exit ${pip.code}`}). ` +
        "Install uv (https://docs.astral.sh/uv/getting-started/installation/) and run this again.",
    );
  }
  return uv;
}
