// Tool dispatch against an in-memory worker (no Python): a `toolCall` frame runs the run's
// TypeScript tool, and its `toolResult` goes back on the run's request stream.
import { Code, type DspyClient, decodeJson, isToolError, type RunTool, ToolError } from "@dspy-connect/client";
import { createClientOnTransport } from "@dspy-connect/client/internal";
import type { RunRequest, RunStart } from "@dspy-connect/core-proto";
import { done, type RunFrame, runWorker, toolCall } from "@dspy-connect/test-support/memory-worker";
import { afterEach, describe, expect, it } from "vitest";
import { streamReact } from "../operations/module.js";

const clients: DspyClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

type ToolResult = Extract<RunRequest["kind"], { case: "toolResult" }>["value"];

interface Exchange {
  start: RunStart | undefined;
  /** What the client sent after start, up to and including the call's result. */
  sent: RunRequest[];
}

/**
 * A worker that sends one tool call, reads the client's messages until that call's result,
 * then ends the run with done.
 */
async function callOnce(call: RunFrame): Promise<{ client: DspyClient; exchange: Exchange }> {
  const exchange: Exchange = { start: undefined, sent: [] };
  const client = await createClientOnTransport(
    runWorker(async function* (requests) {
      exchange.start = await requests.start();
      yield call;
      for (let request = await requests.next(); request; request = await requests.next()) {
        exchange.sent.push(request);
        if (request.kind.case === "toolResult") break;
      }
      yield done(null, 0);
    }),
    { logger: {} },
  );
  clients.push(client);
  return { client, exchange };
}

function resultOf(exchange: Exchange): ToolResult {
  const last = exchange.sent.at(-1);
  if (last?.kind.case !== "toolResult") throw new Error(`no tool result was sent; got ${exchange.sent.map((r) => r.kind.case).join(", ")}`);
  return last.kind.value;
}

function tool(name: string, invoke: RunTool["invoke"], timeoutMs?: number): RunTool {
  return {
    name,
    description: `the ${name} tool`,
    inputSchema: { type: "object", properties: { city: { type: "string" } } },
    timeoutMs,
    invoke,
  };
}

async function runAgent(client: DspyClient, tools: RunTool[]): Promise<void> {
  await streamReact(client, "question -> answer", { question: "q" }, { tools }).result;
}

describe("tool dispatch over an in-memory worker", () => {
  it("runs the TypeScript tool and sends its streamed output, then its result, on the request stream", async () => {
    let context: { callId: string; sessionId: string | undefined } | undefined;
    const weather = tool(
      "weather",
      async (args, ctx) => {
        context = { callId: ctx.callId, sessionId: ctx.sessionId };
        ctx.emit({ progress: "looking" });
        return { city: (args as { city: string }).city, tempC: 21 };
      },
      1500,
    );
    const { client, exchange } = await callOnce(toolCall("c1", "weather", { city: "Paris" }));
    await runAgent(client, [weather]);

    expect(exchange.start?.tools.map((t) => [t.name, t.description, t.timeoutMs])).toEqual([["weather", "the weather tool", 1500]]);
    expect(decodeJson(exchange.start!.tools[0]!.inputSchemaJson)).toEqual(weather.inputSchema);
    expect(context).toEqual({ callId: "c1", sessionId: undefined });
    expect(exchange.sent.map((r) => r.kind.case)).toEqual(["toolOutput", "toolResult"]);
    const output = exchange.sent[0]!.kind;
    expect(output.case === "toolOutput" && decodeJson(output.value.chunkJson)).toEqual({ progress: "looking" });
    const result = resultOf(exchange);
    expect(result.callId).toBe("c1");
    expect(result.outcome.case === "outputJson" && decodeJson(result.outcome.value)).toEqual({ city: "Paris", tempC: 21 });
  });

  it("answers a call to a tool the run does not have with unknown_tool", async () => {
    const { client, exchange } = await callOnce(toolCall("c2", "launch_rockets", {}));
    await runAgent(client, [tool("weather", async () => "sunny")]);
    const result = resultOf(exchange);
    expect(result.errorKind).toBe("unknown_tool");
    expect(result.outcome).toMatchObject({ case: "error", value: expect.stringContaining("launch_rockets") });
  });

  it("answers arguments that are not JSON with invalid_args, without calling the tool", async () => {
    let called = false;
    const { client, exchange } = await callOnce(toolCall("c3", "weather", "{not json"));
    await runAgent(client, [tool("weather", async () => (called = true))]);
    expect(resultOf(exchange)).toMatchObject({ callId: "c3", errorKind: "invalid_args" });
    expect(called).toBe(false);
  });

  it("answers a tool that throws with kind error and its message, or with its ToolError's kind", async () => {
    const thrown = await callOnce(toolCall("c4", "weather", {}));
    await runAgent(thrown.client, [
      tool("weather", async () => {
        throw new Error("the API is down");
      }),
    ]);
    expect(resultOf(thrown.exchange)).toMatchObject({
      errorKind: "error",
      outcome: { case: "error", value: "weather failed: the API is down" },
    });

    const typed = await callOnce(toolCall("c5", "weather", {}));
    await runAgent(typed.client, [
      tool("weather", async () => {
        throw new ToolError("no such city", "invalid_args");
      }),
    ]);
    expect(resultOf(typed.exchange)).toMatchObject({ errorKind: "invalid_args", outcome: { case: "error", value: "no such city" } });
  });

  it("answers a result JSON cannot carry with not_serializable", async () => {
    const { client, exchange } = await callOnce(toolCall("c6", "weather", {}));
    await runAgent(client, [tool("weather", async () => ({ tempC: 21n }))]);
    expect(resultOf(exchange)).toMatchObject({ errorKind: "not_serializable" });
  });

  it("aborts a call that outlives the worker's timeout and answers timeout", async () => {
    let reason: unknown;
    const { client, exchange } = await callOnce(toolCall("c7", "weather", {}, 5));
    await runAgent(client, [
      tool("weather", (_args, ctx) => {
        return new Promise((_, reject) =>
          ctx.signal.addEventListener("abort", () => {
            reason = ctx.signal.reason;
            reject(new Error("aborted"));
          }),
        );
      }),
    ]);
    expect(resultOf(exchange)).toMatchObject({
      callId: "c7",
      errorKind: "timeout",
      outcome: { value: "tool weather timed out after 5 ms" },
    });
    expect(isToolError(reason) && reason.kind).toBe("timeout");
  });

  it("cancels a call still running when the run ends", async () => {
    let reason: unknown;
    const client = await createClientOnTransport(
      runWorker(async function* (requests) {
        await requests.start();
        yield toolCall("c8", "weather", {});
        yield done("answered without the tool", 0);
      }),
      { logger: {} },
    );
    clients.push(client);
    const stream = streamReact(
      client,
      "question -> answer",
      { question: "q" },
      {
        tools: [
          tool("weather", (_args, ctx) => {
            ctx.signal.addEventListener("abort", () => (reason = ctx.signal.reason));
            return new Promise(() => {}); // never settles on its own
          }),
        ],
      },
    );
    await expect(stream.result).resolves.toBe("answered without the tool");
    // The stream ends only after its tools were closed: the call is already aborted.
    expect(isToolError(reason) && reason.kind).toBe("cancelled");
    expect(client.stats().workers[0]?.inflight).toBe(0);
  });

  it("fails a run whose tools cannot be resolved before it reaches a worker", async () => {
    let runs = 0;
    const client = await createClientOnTransport(
      runWorker(async function* (requests) {
        runs++;
        await requests.start();
        yield done(null, 0);
      }),
      { logger: {} },
    );
    clients.push(client);
    const one = tool("weather", async () => 1);
    const other = tool("weather", async () => 2);
    const stream = streamReact(client, "question -> answer", { question: "q" }, { tools: [one, other] });
    await expect(stream.result).rejects.toMatchObject({ code: Code.InvalidArgument });
    expect(runs).toBe(0);
  });
});
