import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createClient, type ClientOptions, type DspyClient } from "@dspy-connect/client";
import type { StreamEvent } from "@dspy-connect/streaming";

const here = dirname(fileURLToPath(import.meta.url));
const python = process.env.DSPY_CONNECT_PYTHON ?? join(here, "..", "..", "..", "python", ".venv", "bin", "python");
if (!existsSync(python)) throw new Error(`no worker Python at ${python}: run ./dev test`);
delete process.env.DSPY_CONNECT_LM;

/** A real pool; only the LM provider is scripted (ReAct calls each tool once, in order, then finishes). */
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

export async function collect<R>(stream: AsyncIterable<StreamEvent<R>>): Promise<StreamEvent<R>[]> {
  const events: StreamEvent<R>[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

export function ofType<T extends StreamEvent["type"]>(events: readonly StreamEvent[], type: T): Extract<StreamEvent, { type: T }>[] {
  return events.filter((e): e is Extract<StreamEvent, { type: T }> => e.type === type);
}

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, stepMs = 20): Promise<void> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
