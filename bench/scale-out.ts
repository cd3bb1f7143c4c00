// Scaling out (issue 19): N concurrent streamed ChainOfThought calls on workers discovered by
// DNS on 1, 2 and 4 hosts (network namespaces on a private bridge, packages/multi-host, with
// dnsmasq), beside a local pool in the same run, against bench/openai-stand-in.ts (listening on
// the bridge so every host reaches it). Rounds interleave the pools. Reports calls/s, first
// token p50, and CPU: the client's share of one core (where it becomes the limit) and the whole
// machine's (client + workers + stand-in) share of all its cores. Needs root.
//   node bench/scale-out.ts [--levels 64,256] [--hosts 1,2,4] [--local-workers 2] [--reps 2]
//     [--min-calls 256] [--chunks 18] [--delay-ms 25]
import { randomBytes } from "node:crypto";
import { availableParallelism, loadavg } from "node:os";
import { parseArgs } from "node:util";
import { createClient, type DspyClient } from "@dspy-connect/client";
import { DnsServer, HostWorker, labUnsupported, NetnsLab, WORKER_PORT } from "@dspy-connect/multi-host";
import { poolClient, standInLm, streamedCall } from "./concurrency-pool.ts";
import { benchEnv, cpuSeconds, python, summary } from "./lib.ts";
import { startStandIn } from "./stand-in-process.ts";

const { values } = parseArgs({
  options: {
    levels: { type: "string", default: "64,256" },
    hosts: { type: "string", default: "1,2,4" },
    "local-workers": { type: "string", default: "2" },
    reps: { type: "string", default: "2" },
    "min-calls": { type: "string", default: "256" },
    chunks: { type: "string", default: "18" },
    "delay-ms": { type: "string", default: "25" },
  },
});
const list = (s: string) => s.split(",").map(Number);
const levels = list(values.levels);
const hostCounts = list(values.hosts);
const reps = Number(values.reps);
const minCalls = Number(values["min-calls"]);
const unsupported = labUnsupported();
if (unsupported) {
  console.error(`scale-out needs network namespaces: ${unsupported}`);
  process.exit(1);
}

interface Side {
  readonly name: string;
  readonly client: DspyClient;
  /** Worker processes whose CPU counts for this side. */
  readonly pids: number[];
  readonly rounds: Map<number, Round[]>;
}

interface Round {
  readonly calls: number;
  readonly seconds: number;
  readonly firstMs: number[];
  readonly ok: number;
  readonly clientCpuS: number;
  /** Client + this side's workers + the stand-in. */
  readonly machineCpuS: number;
}

const lab = await NetnsLab.create();
const dns = await DnsServer.start(lab.gateway);
const standIn = await startStandIn(Number(values.chunks), Number(values["delay-ms"]), lab.gateway);
const token = randomBytes(32).toString("base64url");
const hostWorkers: HostWorker[] = [];
const sides: Side[] = [];
const loadBefore = loadavg();
try {
  const maxHosts = Math.max(...hostCounts);
  const hosts = await Promise.all(Array.from({ length: maxHosts }, () => lab.addHost()));
  // One at a time: warm-ups of several workers at once on a small machine time out.
  for (const host of hosts) hostWorkers.push(await HostWorker.start(host, { python, token, lm: "scripted/echo", env: benchEnv }));
  const lm = standInLm(standIn.apiBase);
  const local = Number(values["local-workers"]);
  if (local > 0) {
    const client = await poolClient(standIn.apiBase, { workers: local });
    const pids = client.stats().workers.map((w) => w.pid!);
    sides.push({ name: `local pool, ${local} workers`, client, pids, rounds: new Map() });
  }
  for (const count of hostCounts) {
    const name = `svc${count}.test`;
    await dns.setAddresses(
      name,
      hosts.slice(0, count).map((h) => h.address),
    );
    const client = await createClient({
      lm,
      remote: [{ dns: `${name}:${WORKER_PORT}`, nameservers: [dns.nameserver], token }],
      logger: {},
    });
    const pids = hostWorkers.slice(0, count).map((w) => w.pid);
    sides.push({ name: `${count} host${count > 1 ? "s" : ""} by DNS, 1 worker each`, client, pids, rounds: new Map() });
  }
  for (const side of sides) await round(side, 2 * side.pids.length, 1); // first calls, untimed
  for (let rep = 0; rep < reps; rep++) {
    for (const level of levels) {
      for (const side of sides) {
        const r = await round(side, level, Math.max(1, Math.ceil(minCalls / level)));
        side.rounds.set(level, [...(side.rounds.get(level) ?? []), r]);
      }
    }
  }
  printTable();
} finally {
  for (const side of sides) await side.client.close();
  await Promise.all(hostWorkers.map((w) => w.stop()));
  standIn.stop();
  dns.stop();
  await lab.destroy();
}
console.log(
  `load average (1/5/15 min) before: ${loadBefore.map((x) => x.toFixed(2)).join(" ")}, after: ${loadavg()
    .map((x) => x.toFixed(2))
    .join(" ")}; ${availableParallelism()} cores`,
);

async function round(side: Side, level: number, waves: number): Promise<Round> {
  const cpu = () => cpuSeconds(process.pid) + cpuSeconds(standIn.pid) + side.pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
  const clientBefore = cpuSeconds(process.pid);
  const machineBefore = cpu();
  const firstMs: number[] = [];
  let ok = 0;
  const started = performance.now();
  for (let wave = 0; wave < waves; wave++) {
    const waveStarted = performance.now();
    for (const [first, answered] of await Promise.all(Array.from({ length: level }, () => streamedCall(side.client, waveStarted)))) {
      firstMs.push(first);
      ok += Number(answered);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    calls: level * waves,
    seconds,
    firstMs,
    ok,
    clientCpuS: cpuSeconds(process.pid) - clientBefore,
    machineCpuS: cpu() - machineBefore,
  };
}

function printTable(): void {
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const cores = availableParallelism();
  console.log(
    `streamed ChainOfThought, stand-in ${values.chunks} chunks ${values["delay-ms"]} ms apart; N streams started together; ${reps} rounds per row (≥ ${minCalls} calls each); ${cores} cores`,
  );
  console.log(
    "| N | workers | calls/s (median) | × 1 host | first token p50 (ms) | client CPU ms per call (share of 1 core) | machine CPU (share of all cores) | answered |",
  );
  console.log("|---|---|---|---|---|---|---|---|");
  for (const level of levels) {
    const oneHost = sides.find((s) => s.name.startsWith("1 host"));
    const rate = (side: Side) => median(side.rounds.get(level)!.map((r) => r.calls / r.seconds));
    for (const side of sides) {
      const rounds = side.rounds.get(level)!;
      const clientShare = median(rounds.map((r) => r.clientCpuS / r.seconds));
      const clientMsPerCall = median(rounds.map((r) => (r.clientCpuS / r.calls) * 1000));
      const machineShare = median(rounds.map((r) => r.machineCpuS / r.seconds / cores));
      const calls = rounds.reduce((a, r) => a + r.calls, 0);
      const answered = rounds.reduce((a, r) => a + r.ok, 0);
      const ratio = oneHost ? (rate(side) / rate(oneHost)).toFixed(2) : "";
      console.log(
        `| ${level} | ${side.name} | ${rate(side).toFixed(1)} | ${ratio} | ${summary(rounds.flatMap((r) => r.firstMs)).p50.toFixed(1)} | ${clientMsPerCall.toFixed(2)} (${(clientShare * 100).toFixed(0)}%) | ${(machineShare * 100).toFixed(0)}% | ${answered}/${calls} |`,
      );
    }
  }
}
