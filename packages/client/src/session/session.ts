import { type CallResult, type RpcOptions, runCall, withLease } from "../call.js";
import { Code, ConnectError } from "../errors.js";
import { toLmConfig } from "../lm.js";
import { ModuleCaller } from "../module-caller.js";
import { type ModuleDefinition, moduleId } from "../module-spec.js";
import type { AffinityMode, CallOptions, LmOption, RunOptions } from "../options.js";
import type { Lease, Pool } from "../pool/pool.js";
import { openRun, type RunChannel, type RunStartInit, withDefaults } from "../run/open-run.js";
import { ToolRegistry } from "../tools/tool-registry.js";
import { brandSession } from "./brand.js";

export interface SessionOptions {
  /** The session's LM; calls may still override it. Default: the client's LM. */
  readonly lm?: LmOption;
  /** Idle time after which the worker drops the session. */
  readonly ttlMs?: number;
  /** strict: calls run only on the session's worker, and fail with NotFound if it restarted.
   *  hint: prefer that worker; elsewhere the session is recreated from its config. */
  readonly affinity?: AffinityMode;
  readonly signal?: AbortSignal;
}

interface SessionContext {
  readonly pool: Pool;
  readonly timeoutMs: number;
  readonly runTimeoutMs: number;
  /** The client's LM retries, for calls and runs that set none. */
  readonly retries: number | undefined;
}

/**
 * State kept in a worker between calls: the LM config and module instances
 * (one per module definition, reused by later calls).
 */
export class Session extends ModuleCaller {
  private closed = false;
  /** The session's TypeScript tools: runs in the session use them by id. */
  readonly tools = new ToolRegistry();
  /** Workers that hold this session, by incarnation. */
  private readonly holders = new Map<string, number>();

  private constructor(
    private readonly ctx: SessionContext,
    readonly id: string,
    readonly affinity: AffinityMode,
    readonly workerId: string,
    private readonly lm: LmOption | undefined,
    private readonly ttlSeconds: number,
  ) {
    super();
    brandSession(this);
  }

  /** @internal */
  static async open(
    ctx: SessionContext,
    lm: LmOption | undefined,
    ttlMs: number,
    affinity: AffinityMode,
    signal?: AbortSignal,
  ): Promise<Session> {
    const id = crypto.randomUUID();
    const ttlSeconds = Math.max(1, Math.ceil(ttlMs / 1000));
    let session: Session | undefined;
    await withLease(ctx.pool, {}, { timeoutMs: ctx.timeoutMs, signal }, async (lease, rpc) => {
      session = new Session(ctx, id, affinity, lease.workerId, lm, ttlSeconds);
      await session.createOn(lease, rpc);
    });
    return session!;
  }

  /** Runs a module held in this session; the same definition reuses one instance. */
  override call<O = Record<string, unknown>>(
    module: ModuleDefinition,
    inputs: Readonly<Record<string, unknown>>,
    options: CallOptions = {},
  ): Promise<CallResult<O>> {
    if (this.closed) return Promise.reject(new ConnectError(`session ${this.id} is closed`, Code.FailedPrecondition));
    const route = { preferred: this.workerId, strict: this.affinity === "strict" };
    return runCall<O>(
      this.ctx.pool,
      route,
      { module, inputs, lm: options.lm, retries: options.retries ?? this.ctx.retries, sessionId: this.id, moduleId: moduleId(module) },
      { ...options, timeoutMs: options.timeoutMs ?? this.ctx.timeoutMs },
      (lease, rpc) => this.ensureOn(lease, rpc),
    );
  }

  /** Opens a streaming Run in this session, on its worker. The session's LM applies unless `options.lm` is set. */
  openRun(start: RunStartInit, options: RunOptions = {}): RunChannel {
    if (this.closed) throw new ConnectError(`session ${this.id} is closed`, Code.FailedPrecondition);
    return openRun(
      this.ctx.pool,
      { preferred: this.workerId, strict: this.affinity === "strict" },
      withDefaults(start, { sessionId: this.id, lm: toLmConfig(options.lm), retries: options.retries ?? this.ctx.retries }),
      { signal: options.signal, timeoutMs: options.timeoutMs ?? this.ctx.runTimeoutMs },
      (lease, rpc) => this.ensureOn(lease, rpc),
    );
  }

  /** Drops the session on every worker that holds it. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const pool = this.ctx.pool;
    await Promise.allSettled(
      [...this.holders].map(([workerId, incarnation]) => {
        const worker = pool.workers.find((w) => w.id === workerId);
        if (worker?.current?.number !== incarnation) return undefined;
        return worker.current.connection.service.closeSession({ sessionId: this.id }, { timeoutMs: 5_000 });
      }),
    );
    this.holders.clear();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private async ensureOn(lease: Lease, rpc: RpcOptions): Promise<void> {
    if (this.holders.get(lease.workerId) === lease.incarnation) return;
    if (this.affinity === "strict") {
      throw new ConnectError(
        `session ${this.id} was lost: its worker ${this.workerId} restarted (use affinity "hint" to recreate sessions elsewhere)`,
        Code.NotFound,
      );
    }
    await this.createOn(lease, rpc);
  }

  private async createOn(lease: Lease, rpc: RpcOptions): Promise<void> {
    await lease.connection.service.createSession({ sessionId: this.id, lm: toLmConfig(this.lm), ttlSeconds: this.ttlSeconds }, rpc);
    this.holders.set(lease.workerId, lease.incarnation);
  }
}
