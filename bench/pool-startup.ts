// Time until createClient() resolves (every worker printed its ready line, passed a health
// check and warmed up), with the zygote (the default: one warm-up, workers forked) and with
// `zygote: false` (each worker spawned and warmed up on its own), beside the floor: a bare
// `python -c "import dspy"` measured in the same run. Also the pool's Python memory once it
// has served a few calls: PSS and USS summed over its workers and zygote (/proc smaps_rollup).
import { createClient } from "@dspy-connect/client";
import { benchEnv, fmt, memoryMiB, python, run } from "./lib.ts";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SIZES = [1, 4];
const MODES = [true, false];

async function timeIt(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

const importDspy: number[] = [];
const key = (workers: number, zygote: boolean) => `${workers}/${zygote}`;
const pools = new Map<string, { ms: number[]; pss: number[]; uss: number[] }>();
for (let round = 0; round < ROUNDS; round++) {
  importDspy.push(await timeIt(() => run(python, ["-c", "import dspy"])));
  for (const workers of SIZES) {
    for (const zygote of MODES) {
      const pool = pools.get(key(workers, zygote)) ?? { ms: [], pss: [], uss: [] };
      pools.set(key(workers, zygote), pool);
      let client: Awaited<ReturnType<typeof createClient>> | undefined;
      pool.ms.push(
        await timeIt(async () => {
          client = await createClient({ workers, python, lm: "scripted/echo", env: benchEnv, logger: {}, zygote });
        }),
      );
      await Promise.all(Array.from({ length: 2 * workers }, (_, i) => client!.predict("q -> a", { q: `q${i}` })));
      const pids = [...client!.stats().workers.map((w) => w.pid!), ...(client!.stats().zygote?.pid ? [client!.stats().zygote!.pid!] : [])];
      const memory = pids.map(memoryMiB);
      pool.pss.push(memory.reduce((sum, m) => sum + m.pss, 0));
      pool.uss.push(memory.reduce((sum, m) => sum + m.uss, 0));
      await client!.close();
    }
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`time to a ready pool, median of ${ROUNDS} rounds (ms); the pool's Python memory after 2 calls per worker (MiB)`);
console.log("| what | median | all rounds | PSS | USS |");
console.log("|---|---|---|---|---|");
console.log(`| baseline: python -c "import dspy" | ${fmt(median(importDspy))} | ${importDspy.map(fmt).join(", ")} | | |`);
for (const workers of SIZES) {
  for (const zygote of MODES) {
    const pool = pools.get(key(workers, zygote))!;
    const what = `createClient({ workers: ${workers}${zygote ? "" : ", zygote: false"} })`;
    console.log(
      `| ${what} | ${fmt(median(pool.ms))} | ${pool.ms.map(fmt).join(", ")} | ${median(pool.pss).toFixed(0)} | ${median(pool.uss).toFixed(0)} |`,
    );
  }
}
