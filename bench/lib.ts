import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import * as net from "node:net";
import { join } from "node:path";
import { createClient as createRpcClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { type ClientOptions, createClient, type DspyClient } from "@dspy-connect/client";
import { WorkerService } from "@dspy-connect/core-proto";

export const root = join(import.meta.dirname, "..");
export const python = process.env.DSPY_CONNECT_PYTHON ?? join(root, "python", ".venv", "bin", "python");
/** Benchmarks use the instant scripted LM so that they measure the bridge, not a model. */
export const benchEnv = { DSPY_CONNECT_TEST_PROVIDERS: "1" };

/** One worker on the instant scripted LM with the test plugins, which most benchmarks use. */
export function scriptedClient(options: ClientOptions = {}): Promise<DspyClient> {
  return createClient({
    workers: 1,
    python,
    lm: "scripted/echo",
    env: benchEnv,
    imports: ["dspy_connect.testing.plugins"],
    logger: {},
    ...options,
  });
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export function summary(samples: number[]): { p50: number; p99: number; mean: number; n: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), mean, n: samples.length };
}

export function fmt(ms: number): string {
  return ms < 10 ? ms.toFixed(3) : ms.toFixed(1);
}

/** Runs a command and returns its stdout. */
export function run(cmd: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.once("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} exited with ${code}`))));
  });
}

/** Resident memory of a process in MiB, from /proc; and this Node process's. */
export const rssMiB = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;
export const tsRssMiB = (): number => process.memoryUsage().rss / 1024 / 1024;

/**
 * RSS, PSS (shared pages split among the processes that map them) and USS (private pages)
 * of a process in MiB, from /proc/<pid>/smaps_rollup: what a forked worker really adds.
 */
export function memoryMiB(pid: number): { rss: number; pss: number; uss: number } {
  const fields = new Map<string, number>();
  for (const line of readFileSync(`/proc/${pid}/smaps_rollup`, "utf8").split("\n").slice(1)) {
    const [name, kb] = line.split(/\s+/);
    if (name && kb) fields.set(name.replace(/:$/, ""), Number(kb) / 1024);
  }
  const get = (name: string) => fields.get(name) ?? 0;
  return { rss: get("Rss"), pss: get("Pss"), uss: get("Private_Clean") + get("Private_Dirty") };
}

/** Resident memory of a process and all its descendants in MiB, from /proc. */
export function treeRssMiB(root: number): number {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // ppid is the second field after the command name, which may hold spaces and ")".
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {} // the process exited while we looked
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]!) ?? []));
  return tree.reduce((sum, pid) => {
    try {
      return sum + rssMiB(pid);
    } catch {
      return sum;
    }
  }, 0);
}

/**
 * The raw grpcio baseline server (bench/stream_baseline.py) on a Unix socket, and a
 * connect-node client for it: the same client stack as ours, with no worker behind it.
 */
export async function startRawBaseline() {
  const server = spawn(python, [`${root}/bench/stream_baseline.py`], { stdio: ["pipe", "pipe", "inherit"] });
  const ready = await new Promise<{ socket: string; pid: number }>((resolve) => {
    server.stdout!.once("data", (d: Buffer) => resolve(JSON.parse(d.toString())));
  });
  const client = createRpcClient(
    WorkerService,
    createGrpcTransport({ baseUrl: "http://localhost", nodeOptions: { createConnection: () => net.connect(ready.socket) } }),
  );
  return { client, pid: ready.pid, stop: () => server.stdin!.end() };
}

/** Time from opening a stream to its first event, over `n` runs after 50 warm-up runs (ms). */
export async function firstEventLatencies(open: () => AsyncIterable<unknown>, n: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < n + 50; i++) {
    const t = performance.now();
    let first = 0;
    for await (const _ of open()) first ||= performance.now() - t;
    if (i >= 50) samples.push(first);
  }
  return samples;
}

/** CPU seconds (user + system, all threads) a live process has used, from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS; // utime, stime (fields 14, 15)
}
const CLOCK_TICKS = 100; // sysconf(_SC_CLK_TCK) on Linux
