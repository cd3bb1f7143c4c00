import { Code, ConnectError } from "../../errors.js";

/** A DNS name and the port its workers listen on. */
export interface DnsTarget {
  readonly host: string;
  readonly port: number;
}

/** Parses "name:port"; a bad value is the caller's mistake (InvalidArgument). */
export function parseDnsTarget(value: string): DnsTarget {
  const at = value.lastIndexOf(":");
  const host = value.slice(0, at);
  const port = Number(value.slice(at + 1));
  if (at <= 0 || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ConnectError(
      `remote dns "${value}" must be "name:port", e.g. "dspy-workers.ns.svc.cluster.local:7000"`,
      Code.InvalidArgument,
    );
  }
  return { host, port };
}

/** The worker url of one resolved address (IPv6 in brackets). */
export function addressUrl(address: string, port: number, secure: boolean): string {
  return `${secure ? "https" : "http"}://${address.includes(":") ? `[${address}]` : address}:${port}`;
}
