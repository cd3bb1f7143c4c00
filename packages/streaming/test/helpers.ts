import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createClient, type ClientOptions, type DspyClient } from "@dspy-connect/client";
import type { StreamEvent } from "../src/index.js";

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = join(here, "..", "..", "..");
export const python = process.env.DSPY_CONNECT_PYTHON ?? join(repoRoot, "python", ".venv", "bin", "python");
if (!existsSync(python)) throw new Error(`no worker Python at ${python}: run ./dev test`);
delete process.env.DSPY_CONNECT_LM;

/** Only the LM provider is scripted; the worker also loads the test tools, commands and metrics. */
export function startClient(options: ClientOptions = {}): Promise<DspyClient> {
  return createClient({
    python,
    lm: "scripted/echo",
    env: { DSPY_CONNECT_TEST_PROVIDERS: "1" },
    imports: ["dspy_connect.testing.plugins"],
    logger: {},
    ...options,
  });
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
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

/** What DSPy's own streamify yields, run in a separate Python process. */
export async function streamifyReference(spec: object): Promise<{ predictor: string; field: string; delta: string; last: boolean }[]> {
  const { stdout } = await promisify(execFile)(python, ["-m", "dspy_connect.testing.streamify_reference", JSON.stringify(spec)], {
    env: { ...process.env },
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(stdout.trim().split("\n").at(-1)!);
}

/** Reads a stream to its end. */
export async function collect<R>(stream: AsyncIterable<StreamEvent<R>>): Promise<StreamEvent<R>[]> {
  const events: StreamEvent<R>[] = [];
  for await (const event of stream) events.push(event);
  return events;
}
