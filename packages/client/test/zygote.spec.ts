import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveWorkerCommand } from "../src/worker/worker-command.js";
import { Zygote } from "../src/worker/zygote.js";
import { isAlive, python, quietLogger, testEnv } from "./helpers.js";

// The client side of the zygote sketch (docs/zygote-design.md): a real zygote forks real workers.
describe("a zygote", () => {
  let zygote: Zygote;
  const runDir = mkdtempSync(join(tmpdir(), "dc-zygote-")); // 0700

  beforeAll(async () => {
    zygote = await Zygote.start({
      python: resolveWorkerCommand(python),
      runId: "zygotetest",
      runDir,
      lm: "scripted/echo",
      imports: [],
      pythonPath: [],
      env: testEnv,
      startupTimeoutMs: 60_000,
      logger: quietLogger,
    });
  }, 90_000);

  afterAll(() => zygote?.stop(5_000));

  it("forks workers that lead their own process groups and report how they exit", async () => {
    const first = await zygote.fork({ slot: "z0", maxConcurrency: 4, startupTimeoutMs: 10_000 });
    const second = await zygote.fork({ slot: "z1", maxConcurrency: 4, startupTimeoutMs: 10_000 });
    expect([first.ready.worker_id, second.ready.worker_id]).toEqual(["z0", "z1"]);
    expect(first.ready.address).toBe(`unix:${join(runDir, "z0.sock")}`);
    expect(new Set([first.pid, second.pid]).size).toBe(2);
    expect([first.pid, second.pid].every(isAlive)).toBe(true);

    await first.stop(5_000);
    expect(await first.exited).toEqual({ code: 0, signal: null });
    second.signalGroup("SIGKILL");
    expect(await second.exited).toEqual({ code: null, signal: "SIGKILL" });
    expect(zygote.alive).toBe(true);
  }, 30_000);
});
