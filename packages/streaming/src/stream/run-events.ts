import { Code, ConnectError, decodeJson, type RunChannel } from "@dspy-connect/client";
import { RunTools } from "@dspy-connect/client/internal";
import type { RunDone } from "@dspy-connect/core-proto";
import { errorInfo, fromWire, type StreamEvent } from "./events.js";

/**
 * The run's frames as typed events. Never throws: every failure (worker error, abort,
 * deadline, dead worker) becomes the terminal `error` event, and exactly one terminal
 * event (done or error) always comes last.
 */
function terminalEvent<R>(done: RunDone, seq: number, decodeResult: (value: unknown) => R): StreamEvent<R> {
  const base = { seq: seq + 1, time: Date.now() };
  if (done.eventCount !== seq) {
    return { type: "error", ...base, code: Code.DataLoss, message: `the run sent ${done.eventCount} events, ${seq} arrived` };
  }
  if (done.outcome.case === "error") return { type: "error", ...base, ...errorInfo(done.outcome.value) };
  const raw = done.outcome.case === "resultJson" && done.outcome.value.length ? decodeJson(done.outcome.value) : undefined;
  const usage = {
    promptTokens: Number(done.usage?.promptTokens ?? 0),
    completionTokens: Number(done.usage?.completionTokens ?? 0),
    totalTokens: Number(done.usage?.totalTokens ?? 0),
  };
  return { type: "done", ...base, result: decodeResult(raw), usage };
}

export async function* runEvents<R>(
  channel: RunChannel,
  decodeResult: (value: unknown) => R,
  tools: RunTools = RunTools.resolve(undefined).tools,
): AsyncGenerator<StreamEvent<R>> {
  let seq = 0;
  let terminal: StreamEvent<R> | undefined;
  try {
    // Up to `done`: the channel then lets the RPC end by itself (half-close, trailers), so the
    // reader gets the run's end without waiting for that round trip.
    for await (const response of channel.responses) {
      const kind = response.kind;
      if (kind.case === "events") {
        for (const wire of kind.value.events) {
          const event = fromWire(wire);
          seq = wire.seq;
          if (event) yield event;
        }
      } else if (kind.case === "toolCall") {
        tools.handle(kind.value, channel);
      } else if (kind.case === "done") {
        terminal = terminalEvent(kind.value, seq, decodeResult);
        break;
      }
    }
    yield terminal ?? {
      type: "error",
      seq: seq + 1,
      time: Date.now(),
      code: Code.Internal,
      message: "the run ended without a done message",
    };
  } catch (error) {
    const e = ConnectError.from(error);
    yield { type: "error", seq: seq + 1, time: Date.now(), code: e.code, message: e.rawMessage };
  } finally {
    tools.close(); // a tool still running sees its signal fire
  }
}
