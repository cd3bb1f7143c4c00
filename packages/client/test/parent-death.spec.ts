import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isAlive, python, testEnv, waitFor } from "./helpers.js";

// Every way the Node parent can die leaves no worker behind: workers watch their stdin
// (the parent holds it open, a pipe or a forked worker's connection), and so does the
// zygote; the client kills their groups on exit.
const WAYS = ["SIGKILL", "SIGTERM", "SIGINT", "SIGHUP", "throw", "rejection", "exit"] as const;

async function holdPool(how: string, zygote: boolean): Promise<{ pids: number[]; parent: ReturnType<typeof spawn> }> {
  const parent = spawn(process.execPath, [join(import.meta.dirname, "fixtures", "hold-pool.mjs"), how], {
    env: { ...process.env, ...testEnv, DSPY_CONNECT_PYTHON: python, HOLD_POOL_ZYGOTE: String(zygote) },
    stdio: ["ignore", "pipe", "ignore"],
  });
  const pids = await new Promise<number[]>((resolve, reject) => {
    parent.stdout!.once("data", (chunk: Buffer) => resolve(JSON.parse(chunk.toString()).pids));
    parent.once("exit", (code, signal) => reject(new Error(`fixture exited early with ${code ?? signal}`)));
  });
  return { pids, parent };
}

describe.each([
  ["forked from a zygote", true, 3],
  ["spawned", false, 2],
])("the Node parent of workers %s dies", (_, zygote, processes) => {
  it.each(WAYS)("by %s: no worker (or zygote) outlives it", async (how) => {
    const { pids, parent } = await holdPool(how, zygote);
    expect(pids.filter(isAlive)).toHaveLength(processes);
    const exited = new Promise((resolve) => parent.once("exit", resolve));
    if (how.startsWith("SIG")) parent.kill(how as NodeJS.Signals);
    await exited;
    await waitFor(() => pids.filter(isAlive).length === 0, 5_000);
  });
});
