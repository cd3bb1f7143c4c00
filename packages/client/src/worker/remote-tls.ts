import type { SecureClientSessionOptions } from "node:http2";
import { Code, ConnectError } from "../errors.js";
import type { RemoteWorkerTls } from "../options.js";

/**
 * The TLS options node:http2 takes for a remote worker's url, or none for http://. A url and
 * `tls` that contradict each other fail at once, with InvalidArgument.
 */
export function remoteTlsOptions(url: string, tls: RemoteWorkerTls | undefined): SecureClientSessionOptions {
  const protocol = parseProtocol(url);
  if (protocol === "http:") {
    if (tls) throw invalid(`remote worker ${url}: tls is set but the url is http://; use https:// for a worker started with --tls-cert`);
    return {};
  }
  if (!tls) return {};
  if ((tls.cert === undefined) !== (tls.key === undefined)) {
    throw invalid(`remote worker ${url}: tls.cert and tls.key go together (mutual TLS needs both)`);
  }
  return {
    ...(tls.ca !== undefined && { ca: pem(tls.ca) }),
    ...(tls.cert !== undefined && { cert: pem(tls.cert) }),
    ...(tls.key !== undefined && { key: pem(tls.key) }),
    ...(tls.serverName !== undefined && { servername: tls.serverName }),
  };
}

function parseProtocol(url: string): "http:" | "https:" {
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    throw invalid(`remote worker url ${JSON.stringify(url)} is not a url; expected https://host:port or http://host:port`);
  }
  if (protocol !== "http:" && protocol !== "https:") {
    throw invalid(`remote worker url ${url}: expected https://host:port (TLS) or http://host:port (a worker started with --insecure)`);
  }
  return protocol;
}

function pem(value: string | Uint8Array): string | Buffer {
  return typeof value === "string" ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

function invalid(message: string): ConnectError {
  return new ConnectError(message, Code.InvalidArgument);
}
