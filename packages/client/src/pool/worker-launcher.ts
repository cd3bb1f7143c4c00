import type { Logger } from "../options.js";
import { forkFailureOf } from "../worker/fork-error.js";
import { type SpawnOptions, spawnWorker, type WorkerProcess } from "../worker/worker-process.js";
import type { ZygoteKeeper } from "./zygote-keeper.js";

/**
 * Starts a pool's local workers: forked warm from the pool's zygote when it is ready,
 * spawned (`python -m dspy_connect.worker`) when there is none or it fails.
 */
export class WorkerLauncher {
  constructor(
    readonly zygote: ZygoteKeeper | undefined,
    private readonly logger: Logger,
  ) {}

  async launch(opts: SpawnOptions): Promise<WorkerProcess> {
    const zygote = await this.zygote?.ready();
    if (zygote) {
      try {
        return await zygote.fork(opts);
      } catch (error) {
        const message = (error as Error).message;
        if (forkFailureOf(error)?.zygoteAtFault) this.zygote?.broken(zygote, message);
        this.logger.warn?.(`${message}\nspawning worker ${opts.slot} instead`);
      }
    }
    return spawnWorker(opts);
  }
}
