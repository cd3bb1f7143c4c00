import { Code, ConnectError } from "../errors.js";
import type { Logger } from "../options.js";
import { type RestartDelay, restartDelay, STABLE_AFTER_MS } from "../process/backoff.js";
import type { LiveProcesses } from "../process/live-processes.js";
import type { PoolProcessOptions } from "../worker/worker-process.js";
import { Zygote } from "../worker/zygote.js";

/** A zygote that cannot start or crashes this many times in a row is given up on. */
const MAX_FAILURES = 5;
// A worker Python from before the zygote: spawning is the only way.
const NO_ZYGOTE_MODULE = /No module named '?dspy_connect\.worker\.zygote/;

/** starting: its first start, or a restart; down: waiting to restart; off: given up. */
export type ZygoteStatus = "starting" | "ready" | "down" | "off" | "stopped";

/**
 * Keeps the pool's one zygote alive: starts it with the pool, restarts it in the background
 * (with the workers' backoff) when it dies or turns out broken, and gives up on it after
 * MAX_FAILURES failures in a row. Workers are spawned whenever it is not ready.
 */
export class ZygoteKeeper {
  status: ZygoteStatus = "starting";
  restarts = 0;
  private zygote: Zygote | undefined;
  private first: Promise<Zygote | undefined> | undefined;
  private failures = 0;
  private readyAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly opts: PoolProcessOptions,
    private readonly delays: RestartDelay,
    private readonly live: LiveProcesses,
    private readonly logger: Logger,
  ) {}

  get pid(): number | undefined {
    return this.zygote?.alive ? this.zygote.pid : undefined;
  }

  /** Starts the zygote; the pool's first workers wait for it (see ready()). */
  start(): void {
    this.first = this.launch().finally(() => {
      this.first = undefined;
    });
  }

  /**
   * The zygote if it is ready now. While its first start runs, waits for it: the pool's first
   * workers are forked warm rather than each warmed up on its own. While it restarts, no wait.
   */
  async ready(): Promise<Zygote | undefined> {
    if (this.first) return this.first;
    return this.zygote?.alive ? this.zygote : undefined;
  }

  /** The zygote refused or could not be reached: kill it; it is restarted like a crash. */
  broken(zygote: Zygote, why: string): void {
    if (zygote !== this.zygote || !zygote.alive) return;
    this.logger.warn?.(`the zygote (pid ${zygote.pid}) is broken, restarting it: ${why}`);
    zygote.process.signalGroup("SIGKILL");
  }

  async stop(killAfterMs: number): Promise<void> {
    this.stopped = true;
    this.status = "stopped";
    clearTimeout(this.timer);
    await this.first;
    await this.zygote?.stop(killAfterMs);
  }

  private async launch(): Promise<Zygote | undefined> {
    this.status = "starting";
    let zygote: Zygote;
    try {
      zygote = await Zygote.start(this.opts);
    } catch (error) {
      const cause = ConnectError.from(error);
      // No such command, or a worker Python without the zygote: another try would fail alike.
      const hopeless = cause.code === Code.FailedPrecondition || NO_ZYGOTE_MODULE.test(cause.rawMessage);
      this.failed(`the zygote did not start: ${cause.rawMessage}`, hopeless);
      return undefined;
    }
    this.live.add(zygote.process);
    void zygote.process.exited.then(() => {
      this.live.delete(zygote.process);
      if (zygote !== this.zygote || this.stopped) return;
      if (Date.now() - this.readyAt > STABLE_AFTER_MS) this.failures = 0;
      this.failed(`the zygote (pid ${zygote.pid}) ${zygote.process.describeCrash()}`, false);
    });
    if (this.stopped) {
      await zygote.stop(0); // the pool closed while it started
      return undefined;
    }
    this.zygote = zygote;
    this.readyAt = Date.now();
    this.status = "ready";
    return zygote;
  }

  private failed(why: string, hopeless: boolean): void {
    if (this.stopped) return;
    this.failures++;
    if (hopeless || this.failures >= MAX_FAILURES) {
      this.status = "off";
      this.logger.warn?.(`${why}\nworkers are spawned, each warming up on its own, from now on`);
      return;
    }
    this.status = "down";
    this.logger.warn?.(`${why}\nworkers are spawned until it is back`);
    this.timer = setTimeout(
      () => {
        this.restarts++;
        void this.launch();
      },
      restartDelay(this.failures - 1, this.delays),
    );
    this.timer.unref();
  }
}
