import type { Transport } from "@connectrpc/connect";
import { Code, ConnectError } from "../errors.js";
import type { Logger } from "../options.js";
import { connectTransport } from "../worker/connection.js";
import { isServing, PoolWorker, type WorkerEvents } from "./pool-worker.js";

/**
 * A worker behind any connect Transport, with no process: unit tests run the client's
 * plumbing against an in-memory router (createRouterTransport). It reports kind "remote":
 * like a remote worker, it is reached over a connection the pool does not own. It runs no
 * version handshake: its router is a test double written against this very client.
 */
export class TransportPoolWorker extends PoolWorker {
  constructor(
    id: string,
    capacity: number,
    private readonly transport: Transport,
    events: WorkerEvents,
    logger: Logger,
  ) {
    super(id, "remote", capacity, events, logger);
  }

  async start(): Promise<void> {
    const connection = connectTransport(this.transport);
    if (!(await isServing(connection))) throw new ConnectError(`worker ${this.id} is not serving`, Code.Unavailable);
    this.beginIncarnation(connection, "ready");
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.endIncarnation("the client is closing", "stopped");
  }

  /** No new calls until a probe passes again; there is nothing to restart. */
  protected onUnhealthy(): void {
    if (this.status === "ready") this.setStatus("unhealthy");
  }
}
