import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type ClientOptions, createClient, type DspyClient } from "@dspy-connect/client";

export const repoRoot = join(import.meta.dirname, "..", "..", "..");
/** The worker's Python: the project venv unless DSPY_CONNECT_PYTHON says otherwise. */
export const workerPython = process.env.DSPY_CONNECT_PYTHON ?? join(repoRoot, "python", ".venv", "bin", "python");
if (!existsSync(workerPython)) throw new Error(`no worker Python at ${workerPython}: run ./dev test`);
delete process.env.DSPY_CONNECT_LM;

/** The worker plugins the tests use: Python tools, commands and metrics, agents. */
export const TEST_PLUGINS = ["dspy_connect.testing.plugins"];

/** A real pool of real workers; only the LM provider is scripted (`scripted/*`). */
export function startClient(options: ClientOptions = {}): Promise<DspyClient> {
  return createClient({
    python: workerPython,
    lm: "scripted/echo",
    env: { DSPY_CONNECT_TEST_PROVIDERS: "1" },
    imports: TEST_PLUGINS,
    logger: {},
    ...options,
  });
}

/** Reads a stream to its end. */
export async function collect<E>(stream: AsyncIterable<E>): Promise<E[]> {
  const events: E[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

/** The events of one type, typed as that member of the union. */
export function ofType<E extends { readonly type: string }, T extends E["type"]>(events: readonly E[], type: T): Extract<E, { type: T }>[] {
  return events.filter((e): e is Extract<E, { type: T }> => e.type === type);
}

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, stepMs = 20): Promise<void> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/** Resident memory of a process in MiB, from /proc. */
export function rssMiB(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;
}

/**
 * Runs an example app's script as a user would (`node script args...`) and returns its
 * output. The pool, workers and DSPy are real; only the LM provider is scripted.
 */
export function runExample(script: string, args: readonly string[] = []): string {
  return execFileSync(process.execPath, ["--no-warnings", script, ...args], {
    env: { ...process.env, DSPY_CONNECT_PYTHON: workerPython, DSPY_CONNECT_TEST_PROVIDERS: "1", DSPY_CONNECT_LM: "scripted/echo" },
    encoding: "utf8",
    timeout: 120_000,
  });
}
