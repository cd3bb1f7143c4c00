import { Code, ConnectError } from "../../errors.js";
import type { Logger } from "../../options.js";
import type { PoolWorker } from "../pool-worker.js";
import { diffAddresses } from "./address-diff.js";
import type { AddressResolver } from "./address-resolver.js";
import type { DnsTarget } from "./dns-target.js";

/** What discovery asks of the pool. */
export interface Membership {
  /** The pool still holds a worker with this id (it may be draining). */
  has(id: string): boolean;
  /** Adds a started worker (health check and handshake passed). */
  join(worker: PoolWorker): void;
  /** No new calls; in-flight calls finish, then the worker is stopped and removed. */
  drain(id: string): void;
}

export interface DnsWorkersSettings {
  readonly name: string;
  readonly target: DnsTarget;
  readonly resolver: AddressResolver;
  readonly resolveEveryMs: number;
  /** A worker for one address, not started yet; its id must depend only on the address. */
  readonly workerFor: (address: string) => PoolWorker;
  readonly logger: Logger;
}

/**
 * Follows every address of a DNS name: resolves it every `resolveEveryMs`, starts a worker
 * for each new address and lets the pool add it once it serves, and drains the workers of
 * addresses that left. A failed resolution keeps the current set.
 */
export class DnsWorkers {
  /** address -> id of the worker in the pool. */
  private readonly members = new Map<string, string>();
  /** Addresses whose worker is starting. */
  private readonly pending = new Set<string>();
  /** Addresses whose last start failed: logged once until they join. */
  private readonly failing = new Set<string>();
  private latest = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private resolving: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly settings: DnsWorkersSettings,
    private readonly pool: Membership,
  ) {}

  /** The addresses whose workers are in the pool. */
  get addresses(): string[] {
    return [...this.members.keys()];
  }

  /** Resolves once and waits for the new workers; fails unless at least one joins. */
  async start(): Promise<void> {
    const { name } = this.settings;
    let addresses: string[];
    try {
      addresses = await this.settings.resolver.resolve(this.settings.target.host);
    } catch (error) {
      throw new ConnectError(`remote dns ${name} could not be resolved: ${(error as Error).message}`, Code.Unavailable);
    }
    await Promise.all(this.apply(addresses));
    if (this.members.size === 0) {
      const tried = addresses.length ? `none of its ${addresses.length} addresses serves` : "it has no addresses";
      throw new ConnectError(`remote dns ${name}: ${tried}`, Code.Unavailable);
    }
    this.timer = setInterval(() => void this.refresh(), this.settings.resolveEveryMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  /** One resolution, applied; overlapping calls share it. Joins started by it run on. */
  refresh(): Promise<void> {
    this.resolving ??= this.settings.resolver
      .resolve(this.settings.target.host)
      .then(
        (addresses) => {
          if (!this.stopped) this.apply(addresses);
        },
        (error: unknown) => {
          this.settings.logger.warn?.(
            `remote dns ${this.settings.name} could not be resolved (keeping ${this.members.size} workers): ${(error as Error).message}`,
          );
        },
      )
      .finally(() => {
        this.resolving = undefined;
      });
    return this.resolving;
  }

  /** Drains removed addresses and starts workers for new ones; returns the joins. */
  private apply(addresses: string[]): Promise<void>[] {
    this.latest = new Set(addresses);
    const { joined, removed } = diffAddresses([...this.members.keys(), ...this.pending], addresses);
    for (const address of removed) {
      const id = this.members.get(address);
      if (id === undefined) continue; // still starting: join() sees it is no longer wanted
      this.members.delete(address);
      this.settings.logger.info?.(`remote dns ${this.settings.name}: ${address} left, draining worker ${id}`);
      this.pool.drain(id);
    }
    return joined.map((address) => this.join(address));
  }

  private async join(address: string): Promise<void> {
    const worker = this.settings.workerFor(address);
    // Back before its old worker finished draining: the next resolution adds it.
    if (this.pool.has(worker.id)) return;
    this.pending.add(address);
    try {
      await worker.start();
    } catch (error) {
      const message = `remote dns ${this.settings.name}: ${address} does not serve yet: ${(error as Error).message}`;
      if (this.failing.has(address)) this.settings.logger.debug?.(message);
      else this.settings.logger.warn?.(message);
      this.failing.add(address);
      return;
    } finally {
      this.pending.delete(address);
    }
    if (this.stopped || !this.latest.has(address)) {
      await worker.stop(0);
      return;
    }
    this.failing.delete(address);
    this.members.set(address, worker.id);
    this.settings.logger.info?.(`remote dns ${this.settings.name}: ${address} joined as worker ${worker.id}`);
    this.pool.join(worker);
  }
}
