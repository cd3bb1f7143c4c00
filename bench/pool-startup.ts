// Time until createClient() resolves (every worker printed its ready line and passed a health
// check), beside the floor: a bare `python -c "import dspy"` measured in the same run.
import { createClient } from "@dspy-connect/client";
import { benchEnv, fmt, python, run } from "./lib.ts";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

async function timeIt(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

const importDspy: number[] = [];
const pools: Record<number, number[]> = { 1: [], 4: [] };
for (let round = 0; round < ROUNDS; round++) {
  importDspy.push(await timeIt(() => run(python, ["-c", "import dspy"])));
  for (const workers of [1, 4]) {
    let client: Awaited<ReturnType<typeof createClient>> | undefined;
    pools[workers]!.push(
      await timeIt(async () => {
        client = await createClient({ workers, python, lm: "scripted/echo", env: benchEnv, logger: {} });
      }),
    );
    await client!.close();
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`time to a ready pool, median of ${ROUNDS} rounds (ms)`);
console.log("| what | median | all rounds |");
console.log("|---|---|---|");
console.log(`| baseline: python -c "import dspy" | ${fmt(median(importDspy))} | ${importDspy.map(fmt).join(", ")} |`);
for (const workers of [1, 4]) {
  console.log(`| createClient({ workers: ${workers} }) | ${fmt(median(pools[workers]!))} | ${pools[workers]!.map(fmt).join(", ")} |`);
}
