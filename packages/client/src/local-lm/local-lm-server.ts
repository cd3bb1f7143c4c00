import { createServer } from "node:net";
import { join } from "node:path";
import type { Logger } from "../options.js";
import { type RestartDelay, restartDelay, STABLE_AFTER_MS } from "../process/backoff.js";
import type { LiveProcesses } from "../process/live-processes.js";
import { ManagedProcess } from "../process/managed-process.js";

const READY_PREFIX = "DSPY_CONNECT_LM_READY ";
const PROBE_TIMEOUT_MS = 5_000;
const DOWN_AFTER_FAILURES = 2;

interface LocalLmReady {
  readonly api_base: string;
  readonly model: string;
  readonly pid: number;
}

export interface LocalLmOptions {
  /** The server's entry script (`@dspy-connect/local-lm`), run with this process's Node. */
  readonly serverEntry: string;
  /** A model name from `@dspy-connect/local-lm`'s catalogue or a GGUF path; empty: the default. */
  readonly model: string | undefined;
  /** Requests the server generates at once; empty: its default. */
  readonly slots: number | undefined;
  readonly runId: string;
  readonly runDir: string;
  readonly startupTimeoutMs: number;
  readonly healthIntervalMs: number;
  readonly restart: RestartDelay;
  readonly live: LiveProcesses;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly logger: Logger;
}

export type LocalLmStatus = "starting" | "ready" | "down" | "stopped";

/**
 * The embedded local LM: one server (node-llama-cpp, in a child process so a crash cannot
 * take the app down) on loopback per client, shared by every worker, restarted on the same
 * port if it dies or stops answering.
 */
export class LocalLmServer {
  status: LocalLmStatus = "starting";
  restarts = 0;
  private proc: ManagedProcess<LocalLmReady> | undefined;
  private failures = 0;
  private probeFailures = 0;
  private readyAt = 0;
  private stopping = false;
  private timer: NodeJS.Timeout | undefined;
  private probeTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly opts: LocalLmOptions,
    /** Fixed for the client's life, so workers keep one api_base across restarts. */
    readonly port: number,
  ) {}

  /** The server's endpoint, known before it is ready: workers are started alongside it. */
  static async create(opts: LocalLmOptions): Promise<LocalLmServer> {
    return new LocalLmServer(opts, await freePort());
  }

  get apiBase(): string {
    return `http://127.0.0.1:${this.port}/v1`;
  }

  get pid(): number | undefined {
    return this.proc?.alive ? this.proc.pid : undefined;
  }

  /** Environment that points workers' `lm: "local"` at this server. */
  workerEnv(): Record<string, string> {
    return { DSPY_CONNECT_LOCAL_API_BASE: this.apiBase };
  }

  async start(): Promise<void> {
    await this.launch();
    this.probeTimer = setInterval(() => void this.probe(), this.opts.healthIntervalMs);
    this.probeTimer.unref();
  }

  async stop(killAfterMs: number): Promise<void> {
    this.stopping = true;
    this.status = "stopped";
    clearTimeout(this.timer);
    clearInterval(this.probeTimer);
    await this.proc?.stop(killAfterMs);
  }

  private async launch(): Promise<void> {
    const proc = await ManagedProcess.spawn<LocalLmReady>({
      name: "local LM server",
      command: process.execPath,
      args: [
        this.opts.serverEntry,
        "serve",
        "--port",
        String(this.port),
        "--run-id",
        this.opts.runId,
        "--exit-with-stdin",
        ...(this.opts.model ? ["--model", this.opts.model] : []),
        ...(this.opts.slots ? ["--slots", String(this.opts.slots)] : []),
      ],
      env: this.opts.env,
      readyPrefix: READY_PREFIX,
      startupTimeoutMs: this.opts.startupTimeoutMs,
      pidFile: join(this.opts.runDir, "local-lm.pid"),
      logger: this.opts.logger,
    });
    if (this.stopping) return proc.stop(0);
    this.proc = proc;
    this.opts.live.add(proc);
    void proc.exited.then(() => this.opts.live.delete(proc));
    this.readyAt = Date.now();
    this.probeFailures = 0;
    this.status = "ready";
    void proc.exited.then(() => this.onExit(proc));
  }

  private onExit(proc: ManagedProcess<LocalLmReady>): void {
    if (this.stopping || proc !== this.proc) return;
    this.opts.logger.warn?.(`local LM server (pid ${proc.pid}) ${proc.describeCrash()}\nrestarting`);
    this.status = "down";
    if (Date.now() - this.readyAt > STABLE_AFTER_MS) this.failures = 0;
    this.scheduleRestart();
  }

  private scheduleRestart(): void {
    this.timer = setTimeout(
      () => {
        this.restarts++;
        this.launch().catch((error: unknown) => {
          if (this.stopping) return;
          this.opts.logger.warn?.(`local LM server restart failed: ${(error as Error).message}`);
          this.scheduleRestart();
        });
      },
      restartDelay(this.failures++, this.opts.restart),
    );
    this.timer.unref();
  }

  /** A server that stops answering is killed; the exit handler restarts it. */
  private async probe(): Promise<void> {
    if (this.status !== "ready") return;
    try {
      // /health answers while a completion runs (/v1/models would wait for the model).
      const reply = await fetch(new URL("/health", this.apiBase), { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
      if (!reply.ok) throw new Error(`HTTP ${reply.status}`);
      this.probeFailures = 0;
    } catch (error) {
      if (++this.probeFailures >= DOWN_AFTER_FAILURES) {
        this.opts.logger.warn?.(`local LM server failed ${this.probeFailures} health checks: ${(error as Error).message}`);
        this.proc?.signalGroup("SIGKILL");
      }
    }
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
