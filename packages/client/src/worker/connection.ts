import * as net from "node:net";
import { type Client, createClient, type Interceptor, type Transport } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { Health, WorkerService } from "@dspy-connect/core-proto";
import type { RemoteWorkerTls } from "../options.js";
import { CheckedSessionManager, type SessionManager } from "./checked-session-manager.js";
import { remoteTlsOptions } from "./remote-tls.js";

export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** Typed RPC clients for one worker incarnation, and a way to drop its HTTP/2 session. */
export interface WorkerConnection {
  readonly service: Client<typeof WorkerService>;
  readonly health: Client<typeof Health>;
  close(): void;
  /** The last error a connection to the worker failed with, where the transport tells. */
  connectionError?(): Error | undefined;
}

/**
 * Runs once on each new HTTP/2 connection to a worker, before the connection carries any
 * request (health checks included), with a client bound to that connection. Throwing
 * refuses the connection: the request that opened it fails with that error.
 */
export type ConnectionCheck = (service: Client<typeof WorkerService>) => Promise<void>;

/** A worker on a Unix socket: connect-node's gRPC transport over net.connect(path). */
export function connectUnix(socketPath: string, check: ConnectionCheck): WorkerConnection {
  return connect("http://localhost", { createConnection: () => net.connect(socketPath) }, [], check);
}

/** A remote worker on TCP, authenticated with a bearer token; TLS for https:// urls. */
export function connectRemote(
  url: string,
  token: string | undefined,
  tls: RemoteWorkerTls | undefined,
  check: ConnectionCheck,
): WorkerConnection {
  const nodeOptions = remoteTlsOptions(url, tls);
  const auth: Interceptor = (next) => async (req) => {
    if (token) req.header.set("authorization", `Bearer ${token}`);
    return next(req);
  };
  return connect(url, nodeOptions, [auth], check);
}

function connect(baseUrl: string, nodeOptions: object, interceptors: Interceptor[], check: ConnectionCheck): WorkerConnection {
  // Our own session manager so close() can drop the HTTP/2 session of a dead worker.
  // No pings: grpcio answers frequent pings with GOAWAY "too_many_pings".
  const sessions = new Http2SessionManager(baseUrl, {}, nodeOptions);
  const transportOn = (sessionManager: SessionManager) =>
    createGrpcTransport({
      baseUrl,
      sessionManager,
      interceptors,
      readMaxBytes: MAX_MESSAGE_BYTES,
      writeMaxBytes: MAX_MESSAGE_BYTES,
    });
  const checked = new CheckedSessionManager(sessions, (one) => check(createClient(WorkerService, transportOn(one))));
  return { ...connectTransport(transportOn(checked), () => sessions.abort()), connectionError: () => checked.connectionError };
}

/** A worker behind any connect Transport, such as an in-memory router in unit tests. */
export function connectTransport(transport: Transport, close: () => void = () => {}): WorkerConnection {
  return { service: createClient(WorkerService, transport), health: createClient(Health, transport), close };
}
