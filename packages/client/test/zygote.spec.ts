import { mkdtempSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DescribeResponse } from "@dspy-connect/core-proto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Code, type DspyClient } from "../src/index.js";
import { forkFailureOf } from "../src/worker/fork-error.js";
import { resolveWorkerCommand } from "../src/worker/worker-command.js";
import { Zygote } from "../src/worker/zygote.js";
import { isAlive, python, quietLogger, startClient, testEnv, waitFor } from "./helpers.js";

// docs/zygote-design.md: a real zygote forks real workers, alone and in a pool.
describe("a zygote", () => {
  let zygote: Zygote;
  const runDir = mkdtempSync(join(tmpdir(), "dc-zygote-")); // 0700
  const pool = {
    python: resolveWorkerCommand(python),
    runId: "zygotetest",
    runDir,
    lm: "scripted/echo",
    imports: [],
    pythonPath: [],
    env: testEnv,
    startupTimeoutMs: 60_000,
    logger: quietLogger,
  };

  beforeAll(async () => {
    zygote = await Zygote.start(pool);
  }, 90_000);

  afterAll(() => zygote?.stop(5_000));

  it("forks workers that lead their own process groups and report how they exit", async () => {
    const first = await zygote.fork({ ...pool, slot: "z0", maxConcurrency: 4 });
    const second = await zygote.fork({ ...pool, slot: "z1", maxConcurrency: 4 });
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

  it("kills a forked worker that hangs before its ready line, and goes on forking", async () => {
    const plugins = mkdtempSync(join(tmpdir(), "dc-zygote-plugins-"));
    writeFileSync(join(plugins, "hang_at_import.py"), "import time\n\ntime.sleep(3600)\n");
    const hung = { ...pool, slot: "z2", maxConcurrency: 4, imports: ["hang_at_import"], pythonPath: [plugins], startupTimeoutMs: 2_000 };
    const error = await zygote.fork(hung).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: Code.DeadlineExceeded });
    const failure = forkFailureOf(error)!;
    expect(failure.zygoteAtFault).toBe(false);
    const pid = failure.pid!;
    expect(pid).toBeGreaterThan(0);
    await waitFor(() => !isAlive(pid), 5_000); // killed, and reaped by the zygote
    const next = await zygote.fork({ ...pool, slot: "z3", maxConcurrency: 4 });
    next.signalGroup("SIGKILL");
    expect(await next.exited).toEqual({ code: null, signal: "SIGKILL" });
  }, 30_000);
});

/** Each ready worker's Describe, by worker id. */
async function describeAll(client: DspyClient): Promise<Map<string, DescribeResponse>> {
  return new Map((await client.describe()).map((d) => [d.workerId, d]));
}

/** Kills `id` with SIGKILL and waits until the pool has it back, on a new pid. */
async function killAndAwaitRestart(client: DspyClient, id: string): Promise<number> {
  const before = client.stats().workers.find((w) => w.id === id)!;
  process.kill(before.pid!, "SIGKILL");
  await waitFor(() => {
    const now = client.stats().workers.find((w) => w.id === id)!;
    return now.status === "ready" && now.restarts === before.restarts + 1 && now.pid !== before.pid;
  }, 30_000);
  return client.stats().workers.find((w) => w.id === id)!.pid!;
}

/** Runs calls until one lands on worker `id` (the pool alternates idle workers); bounded. */
async function callOn(client: DspyClient, id: string): Promise<void> {
  for (let i = 0; i < 4; i++) {
    const result = await client.call({ type: "predict", signature: "q -> a" }, { q: `n${i}` });
    expect(result.outputs).toEqual({ a: `a: n${i}` });
    if (result.workerId === id) return;
  }
  throw new Error(`no call ran on worker ${id}`);
}

describe("a pool with a zygote (the default)", () => {
  let client: DspyClient;
  beforeAll(async () => {
    client = await startClient({ workers: 2 });
  }, 90_000);
  afterAll(() => client.close());

  it("forks its workers warm: no warm-up ran in them", async () => {
    const zygote = client.stats().zygote!;
    expect(zygote.status).toBe("ready");
    for (const worker of client.stats().workers) {
      const info = (await describeAll(client)).get(worker.id)!;
      expect(info.pid).toBe(worker.pid);
      expect(info.warmUpPid).toBe(zygote.pid);
    }
  });

  it("restarts a worker killed with SIGKILL from the zygote: its next call had no warm-up to wait for", async () => {
    const zygotePid = client.stats().zygote!.pid;
    const pid = await killAndAwaitRestart(client, "w0");
    await callOn(client, "w0");
    const info = (await describeAll(client)).get("w0")!;
    expect(info.pid).toBe(pid);
    expect(info.warmedUp).toBe(true);
    expect(info.warmUpPid).toBe(zygotePid); // the warm-up ran in the zygote, before the fork
    expect(info.warmUpPid).not.toBe(pid);
  }, 60_000);

  it("spawns workers while its zygote is dead, and forks again once it is back", async () => {
    const dead = client.stats().zygote!;
    process.kill(dead.pid!, "SIGKILL");
    await waitFor(() => client.stats().zygote!.pid !== dead.pid, 10_000);
    // The zygote takes seconds to warm up again; the worker is back long before.
    const spawned = await killAndAwaitRestart(client, "w0");
    expect((await describeAll(client)).get("w0")!.warmUpPid).toBe(spawned); // it warmed itself up
    await callOn(client, "w0");

    await waitFor(() => client.stats().zygote!.status === "ready", 60_000);
    const back = client.stats().zygote!;
    expect(back.restarts).toBe(dead.restarts + 1);
    expect(back.pid).not.toBe(dead.pid);
    const forked = await killAndAwaitRestart(client, "w1");
    const info = (await describeAll(client)).get("w1")!;
    expect([info.pid, info.warmUpPid]).toEqual([forked, back.pid]);
    await callOn(client, "w1");
  }, 120_000);

  it("restarts a zygote it cannot reach, and spawns the worker meanwhile", async () => {
    await waitFor(() => client.stats().zygote!.status === "ready", 60_000);
    const broken = client.stats().zygote!;
    // Its control socket gone (its path is on its command line): a fork cannot connect.
    const args = readFileSync(`/proc/${broken.pid}/cmdline`, "utf8").split("\0");
    unlinkSync(args[args.indexOf("--control") + 1]!);
    const spawned = await killAndAwaitRestart(client, "w0");
    expect((await describeAll(client)).get("w0")!.warmUpPid).toBe(spawned);
    await waitFor(() => client.stats().zygote!.status === "ready" && client.stats().zygote!.pid !== broken.pid, 60_000);
    expect(isAlive(broken.pid!)).toBe(false);
    expect(client.stats().zygote!.restarts).toBe(broken.restarts + 1);
    const forked = await killAndAwaitRestart(client, "w0");
    expect((await describeAll(client)).get("w0")!.warmUpPid).toBe(client.stats().zygote!.pid);
    expect(forked).not.toBe(spawned);
  }, 120_000);

  it("stops its zygote with its workers on close()", async () => {
    const pids = [...client.stats().workers.map((w) => w.pid!), client.stats().zygote!.pid!];
    expect(pids.every(isAlive)).toBe(true);
    await client.close();
    await waitFor(() => !pids.some(isAlive), 5_000);
    expect(client.stats().zygote!.status).toBe("stopped");
  });
});

describe("a pool with zygote: false", () => {
  let client: DspyClient | undefined;
  afterEach(() => client?.close());

  it("spawns every worker, each warming itself up, as before", async () => {
    client = await startClient({ workers: 2, zygote: false });
    expect(client.stats().zygote).toBeUndefined();
    for (const info of (await describeAll(client)).values()) expect(info.warmUpPid).toBe(info.pid);
    const pid = await killAndAwaitRestart(client, "w1");
    expect((await describeAll(client)).get("w1")!.warmUpPid).toBe(pid);
    await callOn(client, "w1");
  }, 90_000);
});
