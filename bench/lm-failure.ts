// Time until a failing LM call rejects (the scripted provider's outage, an HTTP 500), with
// the default retry policy and with `retries: 0`; beside it, the same failing dspy.Predict
// with DSPy directly and dspy.LM's default retries (bench/lm_failure_direct.py), same run.
import { fmt, python, root, run, scriptedClient } from "./lib.ts";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const direct: number[] = [];
const byDefault: number[] = [];
const noRetries: number[] = [];
const client = await scriptedClient();
async function timeToFailure(retries: number | undefined): Promise<number> {
  const t = performance.now();
  const error = await client.predict("question -> answer", { question: "q" }, { lm: "scripted/fail", retries }).catch((e: unknown) => e);
  if (!(error instanceof Error)) throw new Error("scripted/fail answered");
  return performance.now() - t;
}
for (let round = 0; round < ROUNDS; round++) {
  direct.push((JSON.parse(await run(python, [`${root}/bench/lm_failure_direct.py`])) as { failed_ms: number }).failed_ms);
  byDefault.push(await timeToFailure(undefined));
  noRetries.push(await timeToFailure(0));
}
await client.close();

const row = (what: string, xs: number[]) => `| ${what} | ${fmt(median(xs))} | ${xs.map(fmt).join(", ")} |`;
console.log(`time until a failing LM call rejects, median of ${ROUNDS} rounds (ms)`);
console.log("| what | median | all rounds |");
console.log("|---|---|---|");
console.log(row("baseline: DSPy directly, dspy.LM's default retries", direct));
console.log(row("client, default retries (2)", byDefault));
console.log(row("client, retries: 0", noRetries));
