// Worker spawn and restart to the first served call (issue 17), one-worker pools so that every
// call after a kill -9 is served by the new process. The call is a streamed ChainOfThought
// against the stand-in with no chunk delay; the baseline is the same call on a warm worker.

import type { DspyClient } from "@dspy-connect/client";
import { poolClient, standInLm, streamedCall, workerPids } from "./concurrency-pool.ts";
import { fmt } from "./lib.ts";
import type { StandIn } from "./stand-in-process.ts";

export async function measureRestart(standIn: StandIn, rounds: number) {
  const lm = standInLm(standIn.apiBase, "openai/stand-in-18x0ms");
  const call = async (client: DspyClient) => {
    const [, answered] = await streamedCall(client, performance.now(), lm);
    if (!answered) throw new Error("a call did not answer");
  };
  const spawnToServed: number[] = [];
  const warmCall: number[] = [];
  const killToNoticed: number[] = [];
  const killToReady: number[] = [];
  const killToServed: number[] = [];
  for (let round = 0; round < rounds; round++) {
    let t = performance.now();
    const client = await poolClient(standIn.apiBase, { workers: 1 });
    try {
      await call(client);
      spawnToServed.push(performance.now() - t);
      t = performance.now();
      await call(client);
      warmCall.push(performance.now() - t);
      const [old] = workerPids(client);
      const killedAt = performance.now();
      process.kill(old!, "SIGKILL");
      // The call starts once the pool has seen the old worker go (a call sent before that
      // fails with Unavailable), then waits in the queue for the new one.
      const seen = () => client.stats().workers[0]!;
      while (seen().pid === old && seen().status === "ready") await new Promise((r) => setTimeout(r, 1));
      killToNoticed.push(performance.now() - killedAt);
      const ready = (async () => {
        while (seen().pid === old || seen().status !== "ready") await new Promise((r) => setTimeout(r, 1));
        return performance.now() - killedAt;
      })();
      await call(client);
      killToServed.push(performance.now() - killedAt);
      killToReady.push(await ready);
      if (workerPids(client)[0] === old) throw new Error("the worker was not replaced");
    } finally {
      await client.close();
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const row = (what: string, xs: number[]) => `| ${what} | ${fmt(median(xs))} | ${xs.map(fmt).join(", ")} |`;
  console.log(
    `worker spawn and restart to the first served call, ${rounds} rounds (ms); one streamed ChainOfThought, stand-in with no chunk delay`,
  );
  console.log("| what | median | all rounds |");
  console.log("|---|---|---|");
  console.log(row("baseline: the same call on a warm worker", warmCall));
  console.log(row("createClient({ workers: 1 }) → first call served", spawnToServed));
  console.log(row("kill -9 → the pool sees the worker gone", killToNoticed));
  console.log(row("kill -9 → new worker ready (client.stats())", killToReady));
  console.log(row("kill -9 → a call served by the new worker completes", killToServed));
}
