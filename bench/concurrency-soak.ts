// Soak (issue 17): N streamed ChainOfThought calls, 64 in flight at all times, through a
// default pool; RSS of the client and each worker sampled every 5 s. Not run by default.
import { poolClient, poolRound, streamedCall, workerPids } from "./concurrency-pool.ts";
import { rssMiB, tsRssMiB } from "./lib.ts";
import type { StandIn } from "./stand-in-process.ts";

const CONCURRENT = 64;
const SAMPLE_MS = 5_000;

export async function soak(standIn: StandIn, total: number, perWorker?: number) {
  const client = await poolClient(standIn.apiBase, { maxConcurrencyPerWorker: perWorker });
  const samples: { calls: number; seconds: number; client: number; clientHeap: number; workers: number[] }[] = [];
  let done = 0;
  let ok = 0;
  try {
    await poolRound(client, CONCURRENT, 1); // warm
    const started = performance.now();
    const sample = () =>
      samples.push({
        calls: done,
        seconds: (performance.now() - started) / 1000,
        client: tsRssMiB(),
        clientHeap: process.memoryUsage().heapUsed / 1024 / 1024,
        workers: workerPids(client).map(rssMiB),
      });
    sample();
    const timer = setInterval(sample, SAMPLE_MS);
    let next = 0;
    const lane = async () => {
      while (next < total) {
        next++;
        const [, answered] = await streamedCall(client, performance.now());
        done++;
        ok += Number(answered);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENT }, lane));
    clearInterval(timer);
    sample();
  } finally {
    await client.close();
  }
  const first = samples[0]!;
  const last = samples.at(-1)!;
  const tenth = samples.find((s) => s.calls >= total / 10) ?? first;
  const growth = (a: number, b: number) => `${(((b - a) / a) * 100).toFixed(1)}%`;
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  console.log(`soak: ${total} streamed calls, ${CONCURRENT} at once, ${ok} answered, ${(total / last.seconds).toFixed(1)} calls/s`);
  console.log("| RSS (MiB) | after warm-up | at 10% of calls | end | growth from warm-up | growth from 10% |");
  console.log("|---|---|---|---|---|---|");
  console.log(
    `| client | ${first.client.toFixed(0)} | ${tenth.client.toFixed(0)} | ${last.client.toFixed(0)} | ${growth(first.client, last.client)} | ${growth(tenth.client, last.client)} |`,
  );
  const [h0, h10, hEnd] = [first, tenth, last].map((s) => s.clientHeap);
  console.log(
    `| client: V8 heap used (not RSS) | ${h0!.toFixed(0)} | ${h10!.toFixed(0)} | ${hEnd!.toFixed(0)} | ${growth(h0!, hEnd!)} | ${growth(h10!, hEnd!)} |`,
  );
  const [w0, w10, wEnd] = [first, tenth, last].map((s) => sum(s.workers));
  console.log(
    `| workers (sum) | ${w0!.toFixed(0)} | ${w10!.toFixed(0)} | ${wEnd!.toFixed(0)} | ${growth(w0!, wEnd!)} | ${growth(w10!, wEnd!)} |`,
  );
  console.log(JSON.stringify({ samples }));
}
