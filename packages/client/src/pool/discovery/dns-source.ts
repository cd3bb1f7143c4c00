import { Code, ConnectError } from "../../errors.js";
import type { DnsWorkersOptions, Logger, RemoteWorkerOptions } from "../../options.js";
import type { PoolWorker } from "../pool-worker.js";
import { type AddressResolver, nameserverResolver, systemResolver } from "./address-resolver.js";
import { addressUrl, parseDnsTarget } from "./dns-target.js";
import { DnsWorkers, type Membership } from "./dns-workers.js";

const DEFAULT_RESOLVE_EVERY_MS = 5_000;
// Below this, re-resolving would load the DNS server for nothing.
const MIN_RESOLVE_EVERY_MS = 100;

export function isDnsEntry(entry: RemoteWorkerOptions | DnsWorkersOptions): entry is DnsWorkersOptions {
  return "dns" in entry;
}

/**
 * The static entry a discovered address stands for: the DNS entry's options with only the url
 * replaced, so everything a static entry takes applies. A TLS server name defaults to the DNS
 * name: certificates name the service, while the client dials its addresses.
 */
export function entryForAddress(entry: DnsWorkersOptions, address: string): RemoteWorkerOptions {
  const { dns, resolveEveryMs: _every, nameservers: _servers, ...shared } = entry;
  const { host, port } = parseDnsTarget(dns);
  const tls = shared.tls;
  const withTls = tls ? { ...shared, tls: { ...tls, serverName: tls.serverName ?? host } } : shared;
  return { ...withTls, url: addressUrl(address, port, tls !== undefined) };
}

/** DNS discovery for one `remote` entry; workers are named `r<index>@<address>`. */
export function dnsWorkers(
  index: number,
  entry: DnsWorkersOptions,
  remoteWorker: (id: string, entry: RemoteWorkerOptions) => PoolWorker,
  pool: Membership,
  logger: Logger,
  resolver: AddressResolver = entry.nameservers?.length ? nameserverResolver(entry.nameservers) : systemResolver,
): DnsWorkers {
  const target = parseDnsTarget(entry.dns);
  const resolveEveryMs = entry.resolveEveryMs ?? DEFAULT_RESOLVE_EVERY_MS;
  if (!Number.isFinite(resolveEveryMs) || resolveEveryMs < MIN_RESOLVE_EVERY_MS) {
    throw new ConnectError(
      `remote dns ${entry.dns}: resolveEveryMs must be at least ${MIN_RESOLVE_EVERY_MS}, not ${resolveEveryMs}`,
      Code.InvalidArgument,
    );
  }
  return new DnsWorkers(
    {
      name: entry.dns,
      target,
      resolver,
      resolveEveryMs,
      workerFor: (address) => remoteWorker(`r${index}@${address}`, entryForAddress(entry, address)),
      logger,
    },
    pool,
  );
}
