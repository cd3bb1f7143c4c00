import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Code } from "../src/index.js";
import { isAlive, python, startClient, testEnv, waitFor } from "./helpers.js";

describe("shutdown", () => {
  it("close() drains calls in flight, then stops every worker", async () => {
    const client = await startClient({ workers: 2 });
    const pids = client.stats().workers.map((w) => w.pid!);
    const inflight = client.predict("q -> a", { q: "drained" }, { lm: { model: "scripted/slow-800", cache: false } });
    await new Promise((r) => setTimeout(r, 100));
    const closing = client.close();
    await expect(client.predict("q -> a", { q: "late" })).rejects.toMatchObject({ code: Code.Unavailable });
    await expect(inflight).resolves.toEqual({ a: "a: drained" });
    await closing;
    expect(pids.filter(isAlive)).toEqual([]);
  });

  it("sweeps workers orphaned by an earlier run at start", async () => {
    const base = mkdtempSync(join(tmpdir(), "dc-sweep-"));
    const runId = "deadbeef";
    const runDir = join(base, `run-${runId}`);
    mkdirSync(runDir, { mode: 0o700 });
    const deadPid = spawnSync("true").pid!; // an owner that no longer exists
    // The owner file as createRunDir writes it: only such folders are ever swept.
    const owner = { createdBy: "dspy-connect", runId, pid: deadPid, startedAt: Date.now() - 60_000 };
    writeFileSync(join(runDir, "owner.json"), JSON.stringify(owner));
    // An orphan: no stdin watch, its own process group, as a crashed pool would leave it.
    const orphan = spawn(python, ["-m", "dspy_connect.worker", "--uds", join(runDir, "w0.sock"), "--run-id", runId], {
      detached: true,
      stdio: "ignore",
      env: { ...process.env, ...testEnv },
    });
    writeFileSync(join(runDir, "w0.pid"), String(orphan.pid));
    await waitFor(() => isAlive(orphan.pid!), 1_000);

    process.env.DSPY_CONNECT_RUNTIME_DIR = base;
    try {
      const client = await startClient({ workers: 1 });
      await waitFor(() => !isAlive(orphan.pid!) || orphan.exitCode !== null || orphan.signalCode !== null, 5_000);
      expect(orphan.signalCode).toBe("SIGKILL");
      expect(existsSync(runDir)).toBe(false);
      await client.close();
    } finally {
      delete process.env.DSPY_CONNECT_RUNTIME_DIR;
    }
  });
});

describe("startup failures", () => {
  it("reports a missing plugin as FailedPrecondition naming the module and the search path", async () => {
    const folder = mkdtempSync(join(tmpdir(), "dspy-connect-plugins-"));
    const error = await startClient({ workers: 1, imports: ["no_such_plugin_module"], pythonPath: [folder] }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: Code.FailedPrecondition });
    const message = (error as Error).message;
    expect(message).toContain("plugin module 'no_such_plugin_module' (imports) was not found");
    expect(message).toContain(folder);
    expect(message).not.toContain("Traceback");
  });

  it("finds imports in pythonPath, resolved against the working directory when createClient is called", async () => {
    const base = mkdtempSync(join(tmpdir(), "dspy-connect-plugins-"));
    mkdirSync(join(base, "py"));
    writeFileSync(
      join(base, "py", "lifecycle_plugin.py"),
      "from dspy_connect.modules import register_module\nimport dspy\n\n" +
        "@register_module('lifecycle_echo')\ndef lifecycle_echo(signature, config):\n    return dspy.Predict(signature)\n",
    );
    const cwd = process.cwd();
    process.chdir(base);
    let client: Awaited<ReturnType<typeof startClient>> | undefined;
    try {
      client = await startClient({ workers: 1, imports: ["lifecycle_plugin"], pythonPath: ["py"] });
    } finally {
      process.chdir(cwd); // the worker keeps the absolute folder
    }
    const out = await client.call({ type: "lifecycle_echo", signature: "q -> a" }, { q: "plugged" });
    expect(out.outputs).toEqual({ a: "a: plugged" });
    await client.close();
  });
});
