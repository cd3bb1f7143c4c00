import { createRouterTransport } from "@connectrpc/connect";
import { Health, HealthCheckResponse_ServingStatus, WorkerService } from "@dspy-connect/core-proto";
import { describe, expect, it } from "vitest";
import { subscribe } from "../../diagnostics/channels.js";
import { Code } from "../../errors.js";
import { Pool } from "../pool.js";
import { TransportPoolWorker } from "../transport-pool-worker.js";
import { diffAddresses } from "./address-diff.js";
import type { AddressResolver } from "./address-resolver.js";
import { dnsWorkers, entryForAddress } from "./dns-source.js";
import { addressUrl, parseDnsTarget } from "./dns-target.js";
import { DnsWorkers } from "./dns-workers.js";

/** DNS as a test sets it: the answer now, or a failure. */
class MemoryResolver implements AddressResolver {
  answer: string[] | Error = [];
  async resolve(): Promise<string[]> {
    if (this.answer instanceof Error) throw this.answer;
    return [...this.answer];
  }
}

/** An in-memory worker per address; `down` ones fail their health check. */
function setup(addresses: string[]) {
  const resolver = new MemoryResolver();
  resolver.answer = addresses;
  const down = new Set<string>();
  const logs: string[] = [];
  const logger = {
    debug: (m: string) => logs.push(`debug ${m}`),
    info: (m: string) => logs.push(m),
    warn: (m: string) => logs.push(`warn ${m}`),
  };
  const pool = new Pool({
    maxQueueSize: 10,
    maxQueueWaitMs: 60_000,
    healthIntervalMs: 60_000,
    drainTimeoutMs: 1_000,
    killAfterMs: 0,
    logger,
  });
  const workerFor = (address: string) => {
    const serving = !down.has(address);
    const transport = createRouterTransport(({ service }) => {
      service(WorkerService, {});
      service(Health, {
        check: () => ({ status: serving ? HealthCheckResponse_ServingStatus.SERVING : HealthCheckResponse_ServingStatus.NOT_SERVING }),
      });
    });
    return new TransportPoolWorker(`r0@${address}`, 2, transport, { changed: pool.changed }, logger);
  };
  const dns = new DnsWorkers(
    { name: "svc:7000", target: { host: "svc", port: 7000 }, resolver, resolveEveryMs: 60_000, workerFor, logger },
    pool,
  );
  const ids = () => pool.stats().workers.map((w) => `${w.id} ${w.status}`);
  return { resolver, down, logs, pool, dns, ids };
}

const far = () => Date.now() + 60_000;

describe("DNS discovery", () => {
  it("starts with every serving address, and fails with Unavailable when none serves", async () => {
    const { pool, dns, ids } = setup(["10.0.0.1", "10.0.0.2"]);
    await pool.start([], [dns]);
    expect(ids()).toEqual(["r0@10.0.0.1 ready", "r0@10.0.0.2 ready"]);
    await pool.close();

    const empty = setup([]);
    await expect(empty.pool.start([], [empty.dns])).rejects.toMatchObject({
      code: Code.Unavailable,
      message: expect.stringContaining("no addresses"),
    });
    const dead = setup(["10.0.0.9"]);
    dead.down.add("10.0.0.9");
    await expect(dead.pool.start([], [dead.dns])).rejects.toMatchObject({
      code: Code.Unavailable,
      message: expect.stringContaining("none of its 1 addresses serves"),
    });
    const failing = setup([]);
    failing.resolver.answer = new Error("queryA ETIMEOUT svc");
    await expect(failing.pool.start([], [failing.dns])).rejects.toMatchObject({
      code: Code.Unavailable,
      message: expect.stringContaining("ETIMEOUT"),
    });
  });

  it("adds new addresses once they serve, and keeps the set when resolution fails", async () => {
    const { resolver, down, logs, pool, dns, ids } = setup(["10.0.0.1"]);
    const changes: string[] = [];
    const unsubscribe = subscribe("dspy-connect:pool:member", (m) => changes.push(`${m.workerId} ${m.change}`));
    await pool.start([], [dns]);
    down.add("10.0.0.3");
    resolver.answer = ["10.0.0.1", "10.0.0.2", "10.0.0.3"];
    await dns.refresh();
    await waitUntil(() => ids().length === 2);
    expect(ids()).toEqual(["r0@10.0.0.1 ready", "r0@10.0.0.2 ready"]);
    const failures = () => logs.filter((l) => l.includes("10.0.0.3 does not serve yet"));
    await waitUntil(() => failures().length === 1);
    await dns.refresh(); // still down: warned once, not at every resolution
    await waitUntil(() => failures().length === 2);
    expect(failures().map((l) => l.split(" ")[0])).toEqual(["warn", "debug"]);

    down.delete("10.0.0.3"); // it serves now: the next resolution adds it
    await dns.refresh();
    await waitUntil(() => ids().length === 3);

    resolver.answer = new Error("queryA ESERVFAIL svc");
    await dns.refresh();
    expect(ids()).toHaveLength(3);
    expect(logs.some((l) => l.includes("could not be resolved (keeping 3 workers)"))).toBe(true);
    expect(changes).toEqual(["r0@10.0.0.1 joined", "r0@10.0.0.2 joined", "r0@10.0.0.3 joined"]);
    unsubscribe();
    await pool.close();
  });

  it("drains a removed address: its call in flight finishes, it gets no new calls, then it leaves", async () => {
    const { resolver, pool, dns, ids } = setup(["10.0.0.1", "10.0.0.2"]);
    await pool.start([], [dns]);
    const onTwo = await pool.acquire({ preferred: "r0@10.0.0.2", strict: true, deadline: far() });
    resolver.answer = ["10.0.0.1"];
    await dns.refresh();
    expect(ids()).toEqual(["r0@10.0.0.1 ready", "r0@10.0.0.2 draining"]);
    expect(onTwo.gone.aborted).toBe(false); // the call in flight runs on
    const next = await pool.acquire({ deadline: far() });
    expect(next.workerId).toBe("r0@10.0.0.1");
    // A strict session pinned to the leaving worker is lost, as when its worker restarts.
    await expect(pool.acquire({ preferred: "r0@10.0.0.2", strict: true, deadline: far() })).rejects.toMatchObject({ code: Code.NotFound });
    // A "hint" session goes elsewhere.
    const hinted = await pool.acquire({ preferred: "r0@10.0.0.2", deadline: far() });
    expect(hinted.workerId).toBe("r0@10.0.0.1");
    next.release();
    hinted.release();
    onTwo.release();
    expect(ids()).toEqual(["r0@10.0.0.1 ready"]);
    expect(onTwo.gone.aborted).toBe(true); // its connection closed once idle
    // The address comes back: a new worker joins under the same id.
    resolver.answer = ["10.0.0.1", "10.0.0.2"];
    await dns.refresh();
    await waitUntil(() => ids().length === 2);
    expect(ids()).toEqual(["r0@10.0.0.1 ready", "r0@10.0.0.2 ready"]);
    await pool.close();
  });

  it("rejects a queued strict call when its worker starts draining", async () => {
    const { resolver, pool, dns } = setup(["10.0.0.1", "10.0.0.2"]);
    await pool.start([], [dns]);
    const held = [await pool.acquire({ deadline: far() }), await pool.acquire({ deadline: far() })];
    const full = await Promise.all([pool.acquire({ deadline: far() }), pool.acquire({ deadline: far() })]);
    const pinned = pool.acquire({ preferred: "r0@10.0.0.2", strict: true, deadline: far() }); // waits: all 4 slots taken
    resolver.answer = ["10.0.0.1"];
    await dns.refresh();
    await expect(pinned).rejects.toMatchObject({ code: Code.NotFound });
    for (const lease of [...held, ...full]) lease.release();
    await pool.close();
  });
});

describe("DNS targets and entries", () => {
  it("parses name:port and refuses anything else with InvalidArgument", () => {
    expect(parseDnsTarget("dspy-workers.ns.svc.cluster.local:7000")).toEqual({ host: "dspy-workers.ns.svc.cluster.local", port: 7000 });
    for (const bad of ["svc", ":7000", "svc:0", "svc:70000", "svc:x"]) {
      expect(() => parseDnsTarget(bad)).toThrow(expect.objectContaining({ code: Code.InvalidArgument }));
    }
    expect(addressUrl("10.0.0.1", 7000, false)).toBe("http://10.0.0.1:7000");
    expect(addressUrl("fd00::1", 7000, true)).toBe("https://[fd00::1]:7000");
  });

  it("builds each worker's entry from the DNS entry with only the url replaced, TLS naming the service", () => {
    const entry = { dns: "svc.ns:7000", token: "t", maxConcurrency: 8, resolveEveryMs: 100, nameservers: ["10.0.0.53"] };
    expect(entryForAddress(entry, "10.0.0.1")).toEqual({ token: "t", maxConcurrency: 8, url: "http://10.0.0.1:7000" });
    const tls = { ca: "CA", cert: "C", key: "K" };
    expect(entryForAddress({ ...entry, tls }, "10.0.0.1")).toMatchObject({
      url: "https://10.0.0.1:7000",
      tls: { ...tls, serverName: "svc.ns" },
    });
    const named = { ...tls, serverName: "other" };
    expect(entryForAddress({ ...entry, tls: named }, "10.0.0.1")).toMatchObject({ tls: named });
  });

  it("refuses a re-resolution period under 100 ms with InvalidArgument", () => {
    const none = { has: () => false, join: () => {}, drain: () => {} };
    const make = (resolveEveryMs: number) => () => dnsWorkers(0, { dns: "svc:7000", resolveEveryMs }, () => undefined as never, none, {});
    for (const bad of [0, -1, 99, Number.NaN]) expect(make(bad)).toThrow(expect.objectContaining({ code: Code.InvalidArgument }));
    expect(make(100)).not.toThrow();
  });

  it("diffs address sets", () => {
    expect(diffAddresses(["a", "b"], ["b", "c", "c"])).toEqual({ joined: ["c"], removed: ["a"] });
    expect(diffAddresses([], [])).toEqual({ joined: [], removed: [] });
  });
});

async function waitUntil(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
}
