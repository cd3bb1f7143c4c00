// Many streams at once (issue 17): streamed ChainOfThought against a stand-in OpenAI-compatible
// server on loopback that streams each reply as 18 chunks 25 ms apart (bench/openai-stand-in.ts,
// its own process, so the real LiteLLM HTTP path runs). At each level, N streams start
// together; throughput, first token p50/p99 (from the wave's start) and CPU seconds per call,
// through createClient (default options; client + worker processes) beside DSPy in one Python
// process (bench/concurrency_direct.py: asyncio + dspy.streamify, async_max_workers = N), the
// rounds interleaved in the same run. Medians over rounds; first-token percentiles over all calls.
//   node bench/concurrency.ts [--levels 1,16,64,256] [--reps 3] [--min-calls 16]
//     [--workers 2 | --workers 1,2] [--per-worker N] [--chunks 18] [--delay-ms 25]
//     [--restart [--zygote on|off|both]] [--soak [N]]     (--soak: N streamed calls at 64 concurrent, default 100000)
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { startDirect } from "./concurrency-direct.ts";
import { poolClient, poolRound, type Round } from "./concurrency-pool.ts";
import { measureRestart } from "./concurrency-restart.ts";
import { soak } from "./concurrency-soak.ts";
import { cpuSeconds, summary } from "./lib.ts";
import { startStandIn } from "./stand-in-process.ts";

// `--soak` alone means the issue's 100k calls.
const argv = process.argv.slice(2).flatMap((a, i, all) => (a === "--soak" && !/^\d+$/.test(all[i + 1] ?? "") ? [a, "100000"] : [a]));
const { values } = parseArgs({
  args: argv,
  options: {
    levels: { type: "string", default: "1,16,64,256" },
    reps: { type: "string", default: "3" },
    "min-calls": { type: "string", default: "16" },
    workers: { type: "string", default: "2" },
    "per-worker": { type: "string" },
    chunks: { type: "string", default: "18" },
    "delay-ms": { type: "string", default: "25" },
    restart: { type: "boolean", default: false },
    zygote: { type: "string", default: "both" },
    soak: { type: "string" },
  },
});
const list = (s: string) => s.split(",").map(Number);
const levels = list(values.levels);
const reps = Number(values.reps);
const minCalls = Number(values["min-calls"]);
const perWorker = values["per-worker"] === undefined ? undefined : Number(values["per-worker"]);
const chunks = Number(values.chunks);
const delayMs = Number(values["delay-ms"]);

// --restart: pools with the zygote (the default), without, or both alternating.
const ZYGOTE_MODES: Record<string, boolean[]> = { on: [true], off: [false], both: [true, false] };

const standIn = await startStandIn(chunks, delayMs);
const loadBefore = loadavg();
try {
  if (values.soak !== undefined) await soak(standIn, Number(values.soak), perWorker);
  else if (values.restart) await measureRestart(standIn, reps, ZYGOTE_MODES[values.zygote] ?? [true, false]);
  else await compare();
} finally {
  standIn.stop();
}
console.log(
  `\nload average (1/5/15 min) before: ${loadBefore.map((x) => x.toFixed(2)).join(" ")}, after: ${loadavg()
    .map((x) => x.toFixed(2))
    .join(" ")}`,
);

interface Side {
  readonly name: string;
  readonly round: (level: number, waves: number) => Promise<Round>;
  readonly rounds: Map<number, { round: Round; standInCpuS: number }[]>;
}

async function compare() {
  const direct = await startDirect(standIn.apiBase, "openai/stand-in");
  const sides: Side[] = [{ name: "DSPy in one process (streamify, async_max_workers = N)", round: direct.round, rounds: new Map() }];
  const clients = [];
  for (const workers of list(values.workers)) {
    const client = await poolClient(standIn.apiBase, { workers, maxConcurrencyPerWorker: perWorker });
    clients.push(client);
    await poolRound(client, 2 * workers, 1); // first calls on each worker, untimed
    const options = perWorker === undefined ? "default options" : `maxConcurrencyPerWorker ${perWorker}`;
    sides.push({
      name: `pool, ${workers} worker${workers > 1 ? "s" : ""}, ${options}`,
      round: (l, w) => poolRound(client, l, w),
      rounds: new Map(),
    });
  }
  try {
    for (let rep = 0; rep < reps; rep++) {
      for (const level of levels) {
        for (const side of sides) {
          const standInCpu = cpuSeconds(standIn.pid);
          const round = await side.round(level, Math.ceil(minCalls / level));
          side.rounds.set(level, [...(side.rounds.get(level) ?? []), { round, standInCpuS: cpuSeconds(standIn.pid) - standInCpu }]);
        }
      }
    }
  } finally {
    direct.stop();
    for (const client of clients) await client.close();
  }
  printTable(sides);
}

function printTable(sides: Side[]) {
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const stats = (side: Side, level: number) => {
    const rounds = side.rounds.get(level)!;
    const calls = rounds.reduce((a, r) => a + r.round.calls, 0);
    const first = summary(rounds.flatMap((r) => r.round.firstMs));
    return {
      callsPerS: median(rounds.map((r) => r.round.calls / r.round.seconds)),
      first,
      cpuPerCall: median(rounds.map((r) => r.round.cpuS / r.round.calls)),
      clientCpuPerCall: median(rounds.map((r) => (r.round.clientCpuS ?? Number.NaN) / r.round.calls)),
      standInCpuPerCall: median(rounds.map((r) => r.standInCpuS / r.round.calls)),
      standInBusy: Math.max(...rounds.map((r) => r.standInCpuS / r.round.seconds)),
      ok: `${rounds.reduce((a, r) => a + r.round.ok, 0)}/${calls}`,
      restarted: rounds.some((r) => !r.round.samePids),
    };
  };
  console.log(
    `streamed ChainOfThought, stand-in server ${chunks} chunks ${delayMs} ms apart; N streams started together; ${reps} rounds per row (at least ${minCalls} calls a round, in waves of N)`,
  );
  console.log(
    "| N | what | calls/s (median) | × in-process | first token p50 / p99 (ms) | p50 × in-process | CPU s per call (of it the TS client) | stand-in CPU s per call (max busy) | answered |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|");
  for (const level of levels) {
    const base = stats(sides[0]!, level);
    for (const side of sides) {
      const s = stats(side, level);
      const ratio = (x: number, y: number) => (side === sides[0] ? "" : (x / y).toFixed(2));
      console.log(
        `| ${level} | ${side.name} | ${s.callsPerS.toFixed(1)} | ${ratio(s.callsPerS, base.callsPerS)} | ${s.first.p50.toFixed(1)} / ${s.first.p99.toFixed(1)} | ${ratio(s.first.p50, base.first.p50)} | ${s.restarted ? "n/a (a worker restarted)" : s.cpuPerCall.toFixed(4)}${Number.isNaN(s.clientCpuPerCall) ? "" : ` (${s.clientCpuPerCall.toFixed(4)})`} | ${s.standInCpuPerCall.toFixed(4)} (${(s.standInBusy * 100).toFixed(0)}%) | ${s.ok} |`,
      );
    }
  }
  const raw = Object.fromEntries(sides.map((s) => [s.name, Object.fromEntries(s.rounds)]));
  console.log(JSON.stringify({ chunks, delayMs, reps, minCalls, rounds: raw }));
}
