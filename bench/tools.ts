// Tool round trips on an open run: Python asks, a TypeScript tool answers, Python goes on.
// Ours: the worker's `tool_pingpong` command calls a TS tool n times over the run's stream
// (ToolCall out, ToolResult back), timed in Python. Baseline, same run: a raw grpcio server
// doing the same bidi ping-pong with no worker, no DSPy, no validation
// (bench/stream_baseline.py "pingpong"), answered by the same connect-node client.
import type { RunTool } from "@dspy-connect/client";
import type { RunRequest } from "@dspy-connect/core-proto";
import { executeStream } from "@dspy-connect/streaming";
import { defineTool } from "@dspy-connect/tools";
import { z } from "zod";
import { fmt, rssMiB, scriptedClient, startRawBaseline, summary, tsRssMiB } from "./lib.ts";

const N = Number(process.env.BENCH_N ?? 2000);
const tsRss = tsRssMiB;
const encoder = new TextEncoder();

// ---- baseline: raw bidi ping-pong ----
const baseline = await startRawBaseline();
const raw = baseline.client;
const ready = { pid: baseline.pid };
async function rawPingPong(n: number): Promise<number[]> {
  const queue: RunRequest["kind"][] = [
    {
      case: "start",
      value: { operation: { case: "command", value: { command: "pingpong", argsJson: encoder.encode(JSON.stringify({ n })) } } } as never,
    },
  ];
  let wake: (() => void) | undefined;
  let open = true;
  async function* requests() {
    while (open) {
      const kind = queue.shift();
      if (kind) yield { kind } as RunRequest;
      else await new Promise<void>((r) => (wake = r));
    }
  }
  let ms: number[] = [];
  for await (const response of raw.run(requests())) {
    if (response.kind.case === "toolCall") {
      const call = response.kind.value;
      const i = (JSON.parse(new TextDecoder().decode(call.argsJson)) as { i: number }).i;
      queue.push({
        case: "toolResult",
        value: { callId: call.callId, outcome: { case: "outputJson", value: encoder.encode(JSON.stringify(i)) } },
      } as never);
      wake?.();
    } else if (response.kind.case === "done" && response.kind.value.outcome.case === "resultJson") {
      ms = (JSON.parse(new TextDecoder().decode(response.kind.value.outcome.value)) as { ms: number[] }).ms;
    }
  }
  open = false;
  wake?.();
  return ms;
}

// ---- ours ----
const client = await scriptedClient();
const workerPid = client.stats().workers[0]!.pid!;
const zodPing = defineTool({ name: "ping", description: "Pong.", input: z.object({ i: z.number() }), execute: ({ i }) => i });
// The bridge alone: a RunTool with no schema validation.
const barePing: RunTool = {
  name: "ping",
  description: "Pong.",
  inputSchema: { type: "object", properties: { i: { type: "number" } } },
  invoke: async (args) => (args as { i: number }).i,
};
async function ourPingPong(tool: RunTool, n: number): Promise<number[]> {
  return (await executeStream<{ ms: number[] }>(client, "tool_pingpong", { tool: "ping", n }, { tools: [tool] }).result).ms;
}

try {
  await ourPingPong(zodPing, 200);
  await rawPingPong(200);
  const rows: [string, ReturnType<typeof summary>][] = [
    ["dspy-connect: defineTool (zod-validated) round trip", summary(await ourPingPong(zodPing, N))],
    ["dspy-connect: bare RunTool round trip (no validation)", summary(await ourPingPong(barePing, N))],
    ["baseline: raw grpcio bidi ping-pong, same client", summary(await rawPingPong(N))],
  ];
  console.log(`\nTool round trip Python -> TS -> Python on an open run, ${N} sequential calls (ms, timed in Python)`);
  console.log("| what | p50 | p99 | mean |\n|---|---|---|---|");
  for (const [what, s] of rows) console.log(`| ${what} | ${fmt(s.p50)} | ${fmt(s.p99)} | ${fmt(s.mean)} |`);

  // ---- memory across many calls in one run ----
  console.log("\nMemory (MiB): RSS before and after calls in one run");
  console.log("| what | calls | TS before → after | Python before → after |\n|---|---|---|---|");
  for (const calls of [1_000, 20_000]) {
    globalThis.gc?.();
    const before = { ts: tsRss(), py: rssMiB(workerPid), raw: rssMiB(ready.pid) };
    await ourPingPong(zodPing, calls);
    globalThis.gc?.();
    const mid = { ts: tsRss(), py: rssMiB(workerPid) };
    console.log(
      `| dspy-connect | ${calls} | ${before.ts.toFixed(0)} → ${mid.ts.toFixed(0)} | ${before.py.toFixed(0)} → ${mid.py.toFixed(0)} |`,
    );
    const rawBefore = { ts: tsRss(), py: rssMiB(ready.pid) };
    await rawPingPong(calls);
    globalThis.gc?.();
    console.log(
      `| baseline: raw grpcio | ${calls} | ${rawBefore.ts.toFixed(0)} → ${tsRss().toFixed(0)} | ${rawBefore.py.toFixed(0)} → ${rssMiB(ready.pid).toFixed(0)} |`,
    );
  }
} finally {
  await client.close();
  baseline.stop();
}
