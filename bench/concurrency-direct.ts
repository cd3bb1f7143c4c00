// Drives bench/concurrency_direct.py (DSPy in one Python process, the baseline): one long-lived
// process, one round per request, so its rounds interleave with the pool's in the same run.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import type { Round } from "./concurrency-pool.ts";
import { python, root } from "./lib.ts";

interface DirectRound {
  calls: number;
  seconds: number;
  first_ms: number[];
  cpu_s: number;
  ok: number;
}

export async function startDirect(apiBase: string, model: string) {
  const child = spawn(python, [`${root}/bench/concurrency_direct.py`, apiBase, model], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async () => {
    const line = await lines.next();
    if (line.done) throw new Error("bench/concurrency_direct.py exited");
    return JSON.parse(line.value);
  };
  await next(); // {"ready": true}, once warm
  return {
    pid: child.pid!,
    async round(level: number, waves: number): Promise<Round> {
      child.stdin!.write(`${JSON.stringify({ level, waves })}\n`);
      const r = (await next()) as DirectRound;
      return { calls: r.calls, seconds: r.seconds, firstMs: r.first_ms, cpuS: r.cpu_s, ok: r.ok, samePids: true };
    },
    stop: () => child.stdin!.end(),
  };
}
