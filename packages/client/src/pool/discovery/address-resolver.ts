import { lookup, Resolver } from "node:dns/promises";
import { Code, ConnectError } from "../../errors.js";

/**
 * Every address a name has now. Resolves to [] when DNS says the name has none (NXDOMAIN or
 * no records); rejects when the answer could not be had (timeout, server failure).
 */
export interface AddressResolver {
  resolve(host: string): Promise<string[]>;
}

const NO_ADDRESSES = new Set(["ENOTFOUND", "ENODATA"]);

function noneOn(error: unknown): string[] {
  if (NO_ADDRESSES.has((error as NodeJS.ErrnoException).code ?? "")) return [];
  throw error;
}

/** The system's resolver (getaddrinfo): /etc/hosts and search domains apply, as for any lookup. */
export const systemResolver: AddressResolver = {
  async resolve(host) {
    const found = await lookup(host, { all: true }).catch(noneOn);
    return found.map((a) => (typeof a === "string" ? a : a.address));
  },
};

/** Asks these DNS servers ("ip" or "ip:port") for A and AAAA records directly. */
export function nameserverResolver(servers: readonly string[]): AddressResolver {
  const resolver = new Resolver({ timeout: 2_000, tries: 2 });
  try {
    resolver.setServers([...servers]);
  } catch (error) {
    throw new ConnectError(`remote nameservers ${JSON.stringify(servers)}: ${(error as Error).message}`, Code.InvalidArgument);
  }
  return {
    async resolve(host) {
      const [v4, v6] = await Promise.allSettled([resolver.resolve4(host), resolver.resolve6(host)]);
      // One family may have no records; only when both fail for another reason is it a failure.
      const families = [v4, v6].map((r) => (r.status === "fulfilled" ? r.value : noneOnSettled(r.reason)));
      if (families.every((f) => f instanceof Error)) throw families[0];
      return families.flatMap((f) => (f instanceof Error ? [] : f));
    },
  };
}

function noneOnSettled(error: unknown): string[] | Error {
  try {
    return noneOn(error);
  } catch {
    return error as Error;
  }
}
