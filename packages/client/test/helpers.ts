import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type ClientOptions, createClient, type DspyClient } from "../src/index.js";

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = join(here, "..", "..", "..");

/** The worker venv that ./dev sets up. */
export const python = process.env.DSPY_CONNECT_PYTHON ?? join(repoRoot, "python", ".venv", "bin", "python");
if (!existsSync(python)) throw new Error(`no worker Python at ${python}: run ./dev test`);

// Tests choose their LM explicitly; a developer's DSPY_CONNECT_LM would override it.
delete process.env.DSPY_CONNECT_LM;

/** Only the LM provider is scripted in tests (see python/src/dspy_connect/testing/scripted_lm.py). */
export const testEnv = { DSPY_CONNECT_TEST_PROVIDERS: "1" };

export function startClient(options: ClientOptions = {}): Promise<DspyClient> {
  return createClient({ python, lm: "scripted/echo", env: testEnv, logger: quietLogger, ...options });
}

export const quietLogger = {};

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function waitFor(check: () => boolean, timeoutMs: number, stepMs = 20): Promise<number> {
  const started = performance.now();
  while (!check()) {
    if (performance.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return performance.now() - started;
}

export interface TcpWorkerOptions {
  /** 0 picks a free port. */
  readonly port?: number;
  /** Plugin modules the worker imports (`--import`). */
  readonly imports?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

/** Starts a worker on TCP by hand, as an operator would on another machine. */
export async function startTcpWorker(
  token: string,
  options: TcpWorkerOptions = {},
): Promise<{ url: string; port: number; stop: () => Promise<void>; pid: number }> {
  const imports = (options.imports ?? []).flatMap((m) => ["--import", m]);
  const args = ["-m", "dspy_connect.worker", "--tcp", `127.0.0.1:${options.port ?? 0}`, "--lm", "scripted/echo", ...imports];
  const child = spawn(python, args, {
    env: { ...process.env, ...testEnv, ...options.env, DSPY_CONNECT_TOKEN: token },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const address = await new Promise<string>((resolve, reject) => {
    let buffer = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      const line = buffer.split("\n").find((l) => l.startsWith("DSPY_CONNECT_READY "));
      if (line) resolve(JSON.parse(line.slice("DSPY_CONNECT_READY ".length)).address);
    });
    child.once("exit", (code) => reject(new Error(`tcp worker exited with ${code}`)));
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
  };
  return { url: `http://${address}`, port: Number(address.split(":").at(-1)), stop, pid: child.pid! };
}
