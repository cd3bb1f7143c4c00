import { type ChildProcess, spawn } from "node:child_process";
import type { LabHost } from "./namespaces.js";

export const WORKER_PORT = 7000;

export interface HostWorkerOptions {
  /** The worker venv's Python. */
  readonly python: string;
  readonly token: string;
  /** The worker's default LM, e.g. "scripted/echo" or an OpenAI-compatible model. */
  readonly lm: string;
  readonly env?: Readonly<Record<string, string>>;
  /** The worker's certificate and key files: TLS, as on a real network; without them, --insecure. */
  readonly tls?: { readonly certPath: string; readonly keyPath: string };
}

/** A worker's command line, as an operator would start it on a host: the one place to change. */
export function workerArgs(address: string, workerId: string, lm: string, tls?: HostWorkerOptions["tls"]): string[] {
  const security = tls ? ["--tls-cert", tls.certPath, "--tls-key", tls.keyPath] : ["--insecure"];
  return [
    "-m",
    "dspy_connect.worker",
    "--tcp",
    `${address}:${WORKER_PORT}`,
    ...security,
    "--worker-id",
    workerId,
    "--lm",
    lm,
    "--exit-with-stdin",
  ];
}

/** A real worker in the host's namespace, listening on its address; stops with this process. */
export class HostWorker {
  private constructor(
    readonly host: LabHost,
    private readonly child: ChildProcess,
    readonly pid: number,
    private readonly exited: Promise<void>,
  ) {}

  static async start(host: LabHost, options: HostWorkerOptions): Promise<HostWorker> {
    const args = ["netns", "exec", host.netns, options.python, ...workerArgs(host.address, host.name, options.lm, options.tls)];
    // `ip netns exec` execs the worker: the child is the worker itself. Its stdin is our pipe
    // (--exit-with-stdin): it exits if this process dies without stopping it.
    const child = spawn("ip", args, {
      env: { ...process.env, ...options.env, DSPY_CONNECT_TOKEN: options.token },
      stdio: ["pipe", "pipe", "inherit"],
    });
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    await new Promise<void>((resolve, reject) => {
      let buffer = "";
      child.stdout!.on("data", (chunk: Buffer) => {
        buffer += chunk.toString();
        if (buffer.includes("DSPY_CONNECT_READY ")) resolve();
      });
      child.once("exit", (code) => reject(new Error(`the worker on ${host.name} exited with ${code} before it was ready`)));
    });
    return new HostWorker(host, child, child.pid!, exited);
  }

  get url(): string {
    return `http://${this.host.address}:${WORKER_PORT}`;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
    await this.exited;
  }
}
