import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Code, ConnectError, createClient, type DspyClient, type RunChannel } from "@dspy-connect/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Authority, certFolder } from "../../client/test/certs.js";
import { DnsServer, HostWorker, type LabHost, labUnsupported, NetnsLab, WORKER_PORT } from "../src/index.js";

const repoRoot = join(fileURLToPath(import.meta.url), "..", "..", "..", "..");
const python = process.env.DSPY_CONNECT_PYTHON ?? join(repoRoot, "python", ".venv", "bin", "python");
const SERVICE = "svc.test";
// The workers' own LM (scripted) serves calls that name none; a developer's DSPY_CONNECT_LM would override it.
delete process.env.DSPY_CONNECT_LM;
const unsupported = labUnsupported();
if (unsupported) console.warn(`multi-host test skipped: ${unsupported}`);
// CI runs as root: there the test must run, never skip.
if (unsupported && process.env.CI && process.getuid?.() === 0) throw new Error(`multi-host test cannot run in CI: ${unsupported}`);

describe.skipIf(unsupported !== undefined)("workers on 4+ hosts (network namespaces) found through a real DNS server", () => {
  const token = randomBytes(32).toString("base64url");
  // TLS as on a real network: every worker's certificate names the service (as in Kubernetes),
  // the client dials the addresses DNS gives and checks the certificate against that name.
  const certs = certFolder();
  const authority = new Authority(certs, "lab-ca");
  const serverCert = authority.server("worker", 1, `DNS:${SERVICE}`);
  let lab: NetnsLab;
  let dns: DnsServer;
  let client: DspyClient;
  const workers = new Map<string, HostWorker>();

  const startHost = async (): Promise<LabHost> => {
    const host = await lab.addHost();
    const worker = await HostWorker.start(host, {
      python,
      token,
      lm: "scripted/echo",
      env: { DSPY_CONNECT_TEST_PROVIDERS: "1" },
      tls: serverCert,
    });
    workers.set(host.name, worker);
    return host;
  };
  const inDns = () => lab.hosts.filter((h) => !removed.has(h.name));
  const removed = new Set<string>();
  const publish = () =>
    dns.setAddresses(
      SERVICE,
      inDns().map((h) => h.address),
    );
  /** The pool's worker id of a host: discovered workers are named r<entry>@<address>. */
  const poolId = (host: LabHost) => `r0@${host.address}`;
  const statusOf = (host: LabHost) => client.stats().workers.find((w) => w.id === poolId(host))?.status;
  /** Which hosts `n` concurrent calls ran on (the worker reports its --worker-id, the host name). */
  const spread = async (n: number): Promise<Set<string>> => {
    const calls = Array.from({ length: n }, (_, i) =>
      client.call({ type: "predict", signature: "q -> a" }, { q: `q${i}` }, { lm: "scripted/slow-300", timeoutMs: 20_000 }),
    );
    return new Set((await Promise.all(calls)).map((r) => r.workerId));
  };
  /** One long stream per ready worker (least loaded first), each read up to its first frame. */
  const streamsOnEveryHost = async (count: number): Promise<{ run: RunChannel; rest: AsyncIterator<unknown> }[]> => {
    const question = Array.from({ length: 40 }, (_, i) => `word${i}`).join(" ");
    const runs = Array.from({ length: count }, () =>
      client.openRun(
        {
          operation: {
            case: "module",
            value: {
              module: { type: "predict", signature: "q -> a" },
              inputsJson: new TextEncoder().encode(JSON.stringify({ q: question })),
            },
          },
        },
        { lm: { model: "scripted/tokens-50", cache: false }, timeoutMs: 30_000 },
      ),
    );
    return Promise.all(
      runs.map(async (run) => {
        const rest = run.responses[Symbol.asyncIterator]();
        await rest.next();
        return { run, rest };
      }),
    );
  };
  /** Reads a stream to its end: its outcome, or the error it failed with. */
  const finish = async (rest: AsyncIterator<unknown>): Promise<string | ConnectError> => {
    try {
      let outcome = "";
      for (let next = await rest.next(); !next.done; next = await rest.next()) {
        const kind = (next.value as { kind: { case: string; value: { outcome?: { case: string } } } }).kind;
        if (kind.case === "done") outcome = kind.value.outcome?.case ?? "";
      }
      return outcome;
    } catch (error) {
      return ConnectError.from(error);
    }
  };

  beforeAll(async () => {
    lab = await NetnsLab.create();
    dns = await DnsServer.start(lab.gateway);
    await Promise.all([startHost(), startHost(), startHost(), startHost()]);
    await publish();
    client = await createClient({
      remote: [
        { dns: `${SERVICE}:${WORKER_PORT}`, nameservers: [dns.nameserver], token, tls: { ca: authority.cert }, resolveEveryMs: 200 },
      ],
      healthIntervalMs: 1_000,
      logger: {},
    });
  });

  afterAll(async () => {
    await client?.close();
    await Promise.all([...workers.values()].map((w) => w.stop()));
    dns?.stop();
    await lab?.destroy();
    rmSync(certs, { recursive: true, force: true });
  });

  it("finds every host by DNS and spreads calls over all of them", async () => {
    expect(
      client
        .stats()
        .workers.map((w) => `${w.id} ${w.kind} ${w.status}`)
        .sort(),
    ).toEqual(lab.hosts.map((h) => `${poolId(h)} remote ready`));
    expect(await spread(16)).toEqual(new Set(["h1", "h2", "h3", "h4"]));
  });

  it("sends calls to a host added at run time once DNS names it", async () => {
    const h5 = await startHost();
    expect(statusOf(h5)).toBeUndefined();
    await publish();
    await until(() => statusOf(h5) === "ready");
    expect(await spread(20)).toContain("h5");
  });

  it("drains a host removed from DNS: its stream in flight finishes, it gets no new calls, then it leaves", async () => {
    // Idle workers take turns: one session per host.
    const sessions = [];
    for (let i = 0; i < lab.hosts.length; i++) sessions.push(await client.session());
    const streams = await streamsOnEveryHost(5);
    const h2 = lab.hosts[1]!;
    const onH2 = streams.find((s) => s.run.workerId === poolId(h2));
    expect(onH2).toBeDefined();
    removed.add(h2.name);
    await publish();
    await until(() => statusOf(h2) === "draining");
    expect(await spread(12)).not.toContain("h2");
    // Sessions keep their host where it is still there; the one on h2 is lost (strict affinity).
    for (const session of sessions) {
      const call = session.predict("q -> a", { q: "x" });
      if (session.workerId === poolId(h2)) await expect(call).rejects.toMatchObject({ code: Code.NotFound });
      else {
        const host = lab.hosts.find((h) => poolId(h) === session.workerId)!;
        expect((await session.call({ type: "predict", signature: "q -> a" }, { q: "y" })).workerId).toBe(host.name);
        await call;
      }
    }
    expect(sessions.map((s) => s.workerId).sort()).toEqual(lab.hosts.map(poolId).sort());
    await Promise.all(sessions.map((s) => s.close()));
    expect(statusOf(h2)).toBe("draining"); // its stream still holds it
    expect(await finish(onH2!.rest)).toBe("resultJson");
    await until(() => statusOf(h2) === undefined);
    for (const s of streams) if (s !== onH2) expect(await finish(s.rest)).toBe("resultJson");
  });

  it("fails the stream of a partitioned host with Unavailable before its deadline, and sends new calls elsewhere", async () => {
    const streams = await streamsOnEveryHost(4); // h1, h3, h4, h5
    const h3 = lab.hosts[2]!;
    const onH3 = streams.find((s) => s.run.workerId === poolId(h3));
    expect(onH3).toBeDefined();
    await lab.partition(h3);
    const failure = await finish(onH3!.rest);
    // Its deadline is 30 s: Unavailable (not DeadlineExceeded) comes from the failed health checks.
    expect(failure).toBeInstanceOf(ConnectError);
    expect((failure as ConnectError).code).toBe(Code.Unavailable);
    expect(statusOf(h3)).toBe("unhealthy");
    const used = await spread(12);
    expect(used).not.toContain("h3");
    expect([...used].sort()).toEqual(["h1", "h4", "h5"]);
    for (const s of streams) if (s !== onH3) expect(await finish(s.rest)).toBe("resultJson");
  });
});

/** Waits for a state the pool reaches by itself (DNS refresh every 200 ms, probes every 1 s). */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !check(); i++) await new Promise((r) => setTimeout(r, 50));
  expect(check()).toBe(true);
}
