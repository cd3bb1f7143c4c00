import type { PythonCommand } from "./worker/worker-command.js";

/** A LiteLLM model string ("openai/gpt-4o-mini"), "local", or a full LM config. */
export type LmOption = string | LmSettings;

export interface LmSettings {
  readonly model: string;
  readonly apiBase?: string;
  /** Sent to the worker; prefer env vars on the worker's side for real keys. */
  readonly apiKey?: string;
  readonly temperature?: number;
  readonly maxTokens?: number;
  /**
   * DSPy's LM response cache. Unset: on for unary calls, batches and optimizers (a repeated
   * request is answered from the worker's cache without asking the LM, which matters when you
   * measure), off for token streams (streamed modules and pipelines), since a cache hit streams
   * no tokens. `true` turns it on for streams too; `false` turns it off everywhere.
   */
  readonly cache?: boolean;
  /** Extra keyword arguments for dspy.LM. */
  readonly kwargs?: Readonly<Record<string, unknown>>;
}

export interface Logger {
  debug?(message: string): void;
  info?(message: string): void;
  warn?(message: string): void;
  error?(message: string): void;
}

export interface RemoteWorkerOptions {
  /**
   * "https://host:port" of a worker started with `--tcp HOST:PORT --tls-cert … --tls-key …`,
   * or "http://host:port" of one started with `--tcp HOST:PORT --insecure`.
   */
  readonly url: string;
  readonly token?: string;
  /** TLS settings for an `https://` url (none needed when the system's roots trust the worker). */
  readonly tls?: RemoteWorkerTls;
  /** Calls it runs at once. Default: the client's `maxConcurrencyPerWorker`. */
  readonly maxConcurrency?: number;
}

/**
 * TLS to a remote worker. Certificates and keys are PEM contents (a string or the bytes of
 * `readFileSync("ca.pem")`), not file paths. A plain object: the same one can go with any url.
 */
export interface RemoteWorkerTls {
  /** The CA that signed the worker's certificate. Default: the system's trusted roots. */
  readonly ca?: string | Uint8Array;
  /** The client's certificate, for a worker started with `--tls-client-ca` (mutual TLS); needs `key`. */
  readonly cert?: string | Uint8Array;
  /** The private key of `cert`. */
  readonly key?: string | Uint8Array;
  /**
   * The name the worker's certificate must hold. Default: the url's host. Set it when the url
   * holds an IP address and the certificate a DNS name (e.g. a Kubernetes service's).
   */
  readonly serverName?: string;
}

/**
 * Every address of a DNS name (a Kubernetes headless service), followed as it changes: each
 * address is a worker built like a static entry with only the url replaced. New addresses
 * join after a health check and the version handshake; removed ones drain.
 */
export type DnsWorkersOptions = Omit<RemoteWorkerOptions, "url"> & {
  /** "name:port", e.g. "dspy-workers.ns.svc.cluster.local:7000". */
  readonly dns: string;
  /** How often the name is resolved again. Default 5000 ms. */
  readonly resolveEveryMs?: number;
  /** DNS servers ("ip" or "ip:port") to ask instead of the system resolver (tests, split horizon). */
  readonly nameservers?: readonly string[];
};

export type AffinityMode = "strict" | "hint";

export interface ClientOptions {
  /** Local worker processes to start. Default 2, or 0 when `remote` is given. */
  readonly workers?: number;
  /** Workers on other machines, reached over TCP with a token: listed (`url`) or discovered (`dns`). */
  readonly remote?: readonly (RemoteWorkerOptions | DnsWorkersOptions)[];
  /**
   * The workers' Python (with `dspy-connect-worker` installed), or a command that acts as one,
   * e.g. `["uv", "run", "--project", "py", "python"]`. Default: $DSPY_CONNECT_PYTHON, else the
   * environment `npx dspy-connect setup` made for this version, else "python3".
   */
  readonly python?: PythonCommand;
  /**
   * The default LM: "local" (the embedded model; the default with local workers) or any
   * LiteLLM model string, with keys from the environment. $DSPY_CONNECT_LM overrides it.
   * Remote-only pools default to each worker's own LM.
   */
  readonly lm?: LmOption;
  /**
   * Retries of an LM request that failed in a way that may be transient (rate limit, timeout,
   * server error, dropped connection), 0–20. Default 2: 3 attempts, after 0.5 s then 1 s, so
   * an outage surfaces in ~1.5 s. Never retried: a bad request, an unknown model, a missing or
   * rejected key, a local server that refuses the connection, a stream that has sent output.
   * The error says how many attempts were made ("… (after 3 attempts)").
   */
  readonly retries?: number;
  /**
   * The embedded model for lm "local" (needs `@dspy-connect/local-lm`): a name from its
   * catalogue or a path to any GGUF file. Default: $DSPY_CONNECT_LOCAL_MODEL, else the
   * package's default model. With $DSPY_CONNECT_LOCAL_API_BASE set (here or in `env`), no
   * server is started: workers use that OpenAI-compatible endpoint as lm "local".
   */
  readonly localModel?: string;
  /** Requests the local LM server generates at once; more wait. Default: the package's (2). */
  readonly localLmSlots?: number;
  /** Time the local LM server has to start, a first model download included. Default 300 s. */
  readonly localLmStartupTimeoutMs?: number;
  /**
   * Calls one worker runs at once; more wait in the queue. Default 128: LM calls mostly wait
   * on the network, and a worker whose CPU saturates holds new calls itself (admission by
   * event-loop lag; docs/architecture.md, "Concurrency limits").
   */
  readonly maxConcurrencyPerWorker?: number;
  /** Calls that may wait for a free worker; more are rejected with ResourceExhausted. Default 1000. */
  readonly maxQueueSize?: number;
  /** How long a call may wait for a free worker before ResourceExhausted. Default 30 s. */
  readonly maxQueueWaitMs?: number;
  /** The default deadline of one call, queue time included. Default 120 s. */
  readonly timeoutMs?: number;
  /** Time a worker has to print its ready line and pass a health check. Default 60 s. */
  readonly startupTimeoutMs?: number;
  readonly restart?: {
    /** Delay before the second restart in a row; the first is immediate. Default 250 ms. */
    readonly initialDelayMs?: number;
    readonly maxDelayMs?: number;
  };
  /** Period of health checks on ready workers. Default 5 s. */
  readonly healthIntervalMs?: number;
  readonly sessions?: {
    /** Idle time after which a session is dropped. Default 30 min. */
    readonly ttlMs?: number;
    /** strict: a session's calls run only on its worker. hint: prefer it. Default strict. */
    readonly affinity?: AffinityMode;
  };
  /** How long close() waits for calls in flight. Default 10 s. */
  readonly drainTimeoutMs?: number;
  /** How long close() waits after SIGTERM before SIGKILL. Default 5 s. */
  readonly killAfterMs?: number;
  /**
   * Python modules workers import at start (plugins that register modules, tools, commands,
   * metrics and types), e.g. `["my_plugins"]` for `my_plugins.py`. They are looked up in
   * `pythonPath` first, then on the worker's own sys.path. One that is missing or fails to
   * import makes `createClient` reject with FailedPrecondition naming it and the search path.
   */
  readonly imports?: readonly string[];
  /**
   * Folders searched first for `imports`, put at the front of the workers' sys.path. Relative
   * folders resolve against `process.cwd()` when `createClient` is called. Default: `["."]`,
   * the Node process's working directory.
   */
  readonly pythonPath?: readonly string[];
  /**
   * Start local workers by forking them from a zygote: one Python process per pool that
   * imports DSPy and LiteLLM and runs the warm-up once, so a new or restarted worker serves
   * its first call without a warm-up of its own (and shares the zygote's memory pages).
   * When the zygote is down or cannot fork, workers are spawned as with `false`, and it is
   * restarted in the background. `false`: every worker is its own `python -m
   * dspy_connect.worker` and warms itself up. Default true.
   */
  readonly zygote?: boolean;
  /** Extra environment for local workers. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly logger?: Logger;
}

export interface CallOptions {
  readonly signal?: AbortSignal;
  /** This call's deadline, queue time included. */
  readonly timeoutMs?: number;
  /** LM for this call only. */
  readonly lm?: LmOption;
  /** LM retries for this call only (see ClientOptions.retries). Default: the client's. */
  readonly retries?: number;
}

export interface RunOptions {
  readonly signal?: AbortSignal | undefined;
  /** The run's deadline, queue time included. Default 5 minutes. */
  readonly timeoutMs?: number | undefined;
  /** LM for this run only. */
  readonly lm?: LmOption | undefined;
  /** Retries of each LM request in this run (see ClientOptions.retries). Default: the client's. */
  readonly retries?: number | undefined;
}

export interface ModuleCallOptions extends CallOptions {
  /** Replaces the signature's instructions. */
  readonly instructions?: string;
  /** Module keyword arguments, e.g. { temperature: 0 } for predict. */
  readonly config?: Readonly<Record<string, unknown>>;
  /** Saved module state to load (DSPy dump_state JSON), e.g. an optimizer's result. */
  readonly state?: unknown;
}

export const defaultLogger: Logger = {
  warn: (m) => console.warn(`[dspy-connect] ${m}`),
  error: (m) => console.error(`[dspy-connect] ${m}`),
};
