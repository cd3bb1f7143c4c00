// Worker spawn and restart to the first served call (issue 17), one-worker pools so that every
// call after a kill -9 is served by the new process. The call is a streamed ChainOfThought
// against the stand-in with no chunk delay; the baseline is the same call on a warm worker.
// Pools with the zygote (the default) and with `zygote: false` alternate round by round.

import type { DspyClient } from "@dspy-connect/client";
import { poolClient, standInLm, streamedCall, workerPids } from "./concurrency-pool.ts";
import { fmt, memoryMiB } from "./lib.ts";
import type { StandIn } from "./stand-in-process.ts";

interface Samples {
  spawnToServed: number[];
  warmCall: number[];
  killToNoticed: number[];
  killToReady: number[];
  killToServed: number[];
  worker: { rss: number; pss: number; uss: number }[];
  zygote: { rss: number; pss: number; uss: number }[];
}

export async function measureRestart(standIn: StandIn, rounds: number, zygotes: readonly boolean[]) {
  const lm = standInLm(standIn.apiBase, "openai/stand-in-18x0ms");
  const call = async (client: DspyClient) => {
    const [, answered] = await streamedCall(client, performance.now(), lm);
    if (!answered) throw new Error("a call did not answer");
  };
  const samples = new Map<boolean, Samples>(
    zygotes.map((z) => [
      z,
      { spawnToServed: [], warmCall: [], killToNoticed: [], killToReady: [], killToServed: [], worker: [], zygote: [] },
    ]),
  );
  for (let round = 0; round < rounds; round++) {
    for (const zygote of zygotes) {
      const s = samples.get(zygote)!;
      let t = performance.now();
      const client = await poolClient(standIn.apiBase, { workers: 1, zygote });
      try {
        await call(client);
        s.spawnToServed.push(performance.now() - t);
        t = performance.now();
        await call(client);
        s.warmCall.push(performance.now() - t);
        const [old] = workerPids(client);
        const killedAt = performance.now();
        process.kill(old!, "SIGKILL");
        // The call starts once the pool has seen the old worker go (a call sent before that
        // fails with Unavailable), then waits in the queue for the new one.
        const seen = () => client.stats().workers[0]!;
        while (seen().pid === old && seen().status === "ready") await new Promise((r) => setTimeout(r, 1));
        s.killToNoticed.push(performance.now() - killedAt);
        const ready = (async () => {
          while (seen().pid === old || seen().status !== "ready") await new Promise((r) => setTimeout(r, 1));
          return performance.now() - killedAt;
        })();
        await call(client);
        s.killToServed.push(performance.now() - killedAt);
        s.killToReady.push(await ready);
        const [now] = workerPids(client);
        if (now === old) throw new Error("the worker was not replaced");
        s.worker.push(memoryMiB(now!));
        const zygotePid = client.stats().zygote?.pid;
        if (zygotePid) s.zygote.push(memoryMiB(zygotePid));
      } finally {
        await client.close();
      }
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const row = (what: string, xs: number[]) => `| ${what} | ${fmt(median(xs))} | ${xs.map(fmt).join(", ")} |`;
  for (const [zygote, s] of samples) {
    console.log(
      `\n${zygote ? "zygote (default)" : "zygote: false"}: worker spawn and restart to the first served call, ${rounds} rounds (ms); one streamed ChainOfThought, stand-in with no chunk delay`,
    );
    console.log("| what | median | all rounds |");
    console.log("|---|---|---|");
    console.log(row("baseline: the same call on a warm worker", s.warmCall));
    console.log(row("createClient({ workers: 1 }) → first call served", s.spawnToServed));
    console.log(row("kill -9 → the pool sees the worker gone", s.killToNoticed));
    console.log(row("kill -9 → new worker ready (client.stats())", s.killToReady));
    console.log(row("kill -9 → a call served by the new worker completes", s.killToServed));
    const mem = (what: string, xs: { rss: number; pss: number; uss: number }[]) =>
      xs.length &&
      console.log(
        `| ${what}: RSS / PSS / USS (MiB) | ${[median(xs.map((m) => m.rss)), median(xs.map((m) => m.pss)), median(xs.map((m) => m.uss))].map((v) => v.toFixed(0)).join(" / ")} | ${xs.map((m) => `${m.rss.toFixed(0)}/${m.pss.toFixed(0)}/${m.uss.toFixed(0)}`).join(", ")} |`,
      );
    mem("the restarted worker after its call", s.worker);
    mem("the zygote", s.zygote);
  }
}
