import type * as http2 from "node:http2";
import { constants } from "node:http2";
import type { GrpcTransportOptions, Http2SessionManager } from "@connectrpc/connect-node";
import { ClosedBeforeHttp2Error } from "./closed-before-http2-error.js";

/** What connect-node's transports take as `sessionManager`. */
export type SessionManager = NonNullable<GrpcTransportOptions["sessionManager"]>;

/** Checks one HTTP/2 connection, through a session manager bound to exactly that connection. */
export type SessionCheck = (connection: SessionManager) => Promise<void>;

/**
 * Checks each new HTTP/2 connection to a worker once, before any request's message goes out
 * on it (its headers have; its body waits). A worker restarted behind the same address is
 * reached over a new connection, so it is checked again before it gets work. A request on a
 * connection that fails the check is cancelled and fails with the check's error; the next
 * request on that connection checks it again.
 */
export class CheckedSessionManager implements SessionManager {
  readonly authority: string;
  private readonly passed = new WeakSet<http2.ClientHttp2Session>();
  private readonly checking = new WeakMap<http2.ClientHttp2Session, Promise<void>>();
  private lastError: Error | undefined;

  constructor(
    private readonly inner: Http2SessionManager,
    private readonly check: SessionCheck,
  ) {
    this.authority = inner.authority;
  }

  async request(
    method: string,
    path: string,
    headers: http2.OutgoingHttpHeaders,
    options: Omit<http2.ClientSessionRequestOptions, "signal">,
  ): Promise<http2.ClientHttp2Stream> {
    const stream = await this.inner.request(method, path, headers, options);
    const session = stream.session as http2.ClientHttp2Session | undefined; // a client stream's
    if (!session || this.passed.has(session)) return stream;
    try {
      await this.checkOnce(session);
    } catch (error) {
      stream.on("error", () => {}); // the caller gets `error`; a stream error now has no one to go to
      stream.close(constants.NGHTTP2_CANCEL);
      throw error;
    }
    return stream;
  }

  /**
   * Why the last connection that failed its check failed: its error, or a
   * ClosedBeforeHttp2Error. grpcio refuses a client certificate by closing the connection with
   * no TLS alert, after the client's side of the handshake has finished: requests see only a
   * cancelled stream. Cleared once a connection passes.
   */
  get connectionError(): Error | undefined {
    return this.lastError;
  }

  notifyResponseByteRead(stream: http2.ClientHttp2Stream): void {
    this.inner.notifyResponseByteRead(stream);
  }

  /**
   * Remembers why a new connection failed: its error, or that it closed before HTTP/2 began.
   * Watched from its first request on: the worker's settings come a round trip after the
   * client's side of the TLS handshake, so they cannot have arrived already.
   */
  private watchFailure(session: http2.ClientHttp2Session): void {
    let started = false;
    let failed = false;
    session.once("remoteSettings", () => {
      started = true;
    });
    session.once("error", (error: Error) => {
      failed = true;
      this.lastError = error;
    });
    session.once("close", () => {
      if (!started && !failed) this.lastError = new ClosedBeforeHttp2Error();
    });
  }

  /** One check per connection at a time; requests that arrive meanwhile wait for it. */
  private checkOnce(session: http2.ClientHttp2Session): Promise<void> {
    let pending = this.checking.get(session);
    if (!pending) {
      this.watchFailure(session);
      pending = this.check(boundTo(session, this.authority))
        .then(() => {
          this.passed.add(session);
          this.lastError = undefined; // an old connection's failure no longer explains anything
        })
        .finally(() => this.checking.delete(session));
      this.checking.set(session, pending);
    }
    return pending;
  }
}

/** A session manager for one existing connection: the check's own requests go out on it, unchecked. */
function boundTo(session: http2.ClientHttp2Session, authority: string): SessionManager {
  return {
    authority,
    request: async (method, path, headers, options) => session.request({ ...headers, ":method": method, ":path": path }, options),
    notifyResponseByteRead: () => {},
  };
}
