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
  /** Serve TLS from these files (paths); without it the worker runs `--insecure`. */
  readonly tls?: { readonly cert: string; readonly key: string; readonly clientCa?: string };
}

export interface TcpWorker {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** What the worker has logged so far (its stderr, also passed on to ours). */
  logs(): string;
  stop(): Promise<void>;
}

/** Starts a worker on TCP by hand, as an operator would on another machine. */
export async function startTcpWorker(token: string, options: TcpWorkerOptions = {}): Promise<TcpWorker> {
  const imports = (options.imports ?? []).flatMap((m) => ["--import", m]);
  const tls = options.tls;
  const transport = tls
    ? ["--tls-cert", tls.cert, "--tls-key", tls.key, ...(tls.clientCa ? ["--tls-client-ca", tls.clientCa] : [])]
    : ["--insecure"];
  const args = ["-m", "dspy_connect.worker", "--tcp", `127.0.0.1:${options.port ?? 0}`, ...transport, "--lm", "scripted/echo", ...imports];
  const child = spawn(python, args, {
    env: { ...process.env, ...testEnv, ...options.env, DSPY_CONNECT_TOKEN: token },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let logs = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    logs += chunk.toString();
    process.stderr.write(chunk);
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
  const scheme = tls ? "https" : "http";
  return { url: `${scheme}://${address}`, port: Number(address.split(":").at(-1)), stop, pid: child.pid!, logs: () => logs };
}
