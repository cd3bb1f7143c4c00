// The pool side of bench/concurrency.ts: streamed ChainOfThought through createClient against
// the stand-in server, in waves of N streams started together; CPU of the client process and
// of every worker process, from /proc.
import { type ClientOptions, createClient, type DspyClient, type LmSettings } from "@dspy-connect/client";
import { streamChainOfThought } from "@dspy-connect/streaming";
import { cpuSeconds, python } from "./lib.ts";
import { ANSWER } from "./stand-in-reply.ts";

export interface Round {
  readonly calls: number;
  readonly seconds: number;
  /** Each call's first token, in ms from its wave's start. */
  readonly firstMs: number[];
  readonly cpuS: number;
  /** Of cpuS, the TypeScript client's (the pool side only). */
  readonly clientCpuS?: number;
  /** Calls that streamed a token and answered the stand-in's answer. */
  readonly ok: number;
  /** False if a worker was replaced during the round (its CPU is then not all counted). */
  readonly samePids: boolean;
}

export const QUESTION = { question: "What is the capital of France?" };

export function standInLm(apiBase: string, model = "openai/stand-in"): LmSettings {
  return { model, apiBase, apiKey: "x", cache: false };
}

export function poolClient(apiBase: string, options: ClientOptions = {}): Promise<DspyClient> {
  return createClient({ python, lm: standInLm(apiBase), logger: {}, ...options });
}

const errors = new Set<string>();

/** One streamed call: ms from `started` to its first token, and whether it answered. */
export async function streamedCall(client: DspyClient, started: number, lm?: LmSettings): Promise<[number, boolean]> {
  let first = 0;
  let answered = false;
  for await (const event of streamChainOfThought(client, "question -> answer", QUESTION, { lm })) {
    if (event.type === "token" && !first) first = performance.now() - started;
    if (event.type === "done") answered = String(event.result.answer).startsWith(ANSWER) && event.result.reasoning.length > 0;
    if (event.type === "error" && !errors.has(event.message)) {
      errors.add(event.message);
      console.error(`a pool call failed: ${event.message}`);
    }
  }
  return [first, answered && first > 0];
}

export function workerPids(client: DspyClient): number[] {
  return client.stats().workers.map((w) => w.pid!);
}

/** CPU seconds of the workers. */
function workersCpu(pids: number[]): number {
  return pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
}

export async function poolRound(client: DspyClient, level: number, waves: number): Promise<Round> {
  const pids = workerPids(client);
  const firstMs: number[] = [];
  let ok = 0;
  const cpu = workersCpu(pids);
  const clientCpu = cpuSeconds(process.pid);
  const started = performance.now();
  for (let wave = 0; wave < waves; wave++) {
    const waveStarted = performance.now();
    const calls = await Promise.all(Array.from({ length: level }, () => streamedCall(client, waveStarted)));
    for (const [first, answered] of calls) {
      firstMs.push(first);
      ok += Number(answered);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const clientCpuS = cpuSeconds(process.pid) - clientCpu;
  const samePids = workerPids(client).join() === pids.join();
  const cpuS = samePids ? workersCpu(pids) - cpu + clientCpuS : Number.NaN;
  return { calls: level * waves, seconds, firstMs, cpuS, clientCpuS, ok, samePids };
}
