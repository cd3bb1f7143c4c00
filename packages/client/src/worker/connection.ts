import * as net from "node:net";
import { type Client, createClient, type Interceptor, type Transport } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { Health, WorkerService } from "@dspy-connect/core-proto";

export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** Typed RPC clients for one worker incarnation, and a way to drop its HTTP/2 session. */
export interface WorkerConnection {
  readonly service: Client<typeof WorkerService>;
  readonly health: Client<typeof Health>;
  close(): void;
}

/** A worker on a Unix socket: connect-node's gRPC transport over net.connect(path). */
export function connectUnix(socketPath: string): WorkerConnection {
  return connect("http://localhost", { createConnection: () => net.connect(socketPath) }, []);
}

/** A remote worker on TCP, authenticated with a bearer token. */
export function connectRemote(url: string, token: string | undefined): WorkerConnection {
  const auth: Interceptor = (next) => async (req) => {
    if (token) req.header.set("authorization", `Bearer ${token}`);
    return next(req);
  };
  return connect(url, {}, [auth]);
}

function connect(baseUrl: string, nodeOptions: object, interceptors: Interceptor[]): WorkerConnection {
  // Our own session manager so close() can drop the HTTP/2 session of a dead worker.
  // No pings: grpcio answers frequent pings with GOAWAY "too_many_pings".
  const sessionManager = new Http2SessionManager(baseUrl, {}, nodeOptions);
  const transport = createGrpcTransport({
    baseUrl,
    sessionManager,
    interceptors,
    readMaxBytes: MAX_MESSAGE_BYTES,
    writeMaxBytes: MAX_MESSAGE_BYTES,
  });
  return connectTransport(transport, () => sessionManager.abort());
}

/** A worker behind any connect Transport, such as an in-memory router in unit tests. */
export function connectTransport(transport: Transport, close: () => void = () => {}): WorkerConnection {
  return { service: createClient(WorkerService, transport), health: createClient(Health, transport), close };
}
