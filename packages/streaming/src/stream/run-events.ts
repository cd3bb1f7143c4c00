import { Code, ConnectError, decodeJson, type RunChannel } from "@dspy-connect/client";
import { RunTools } from "@dspy-connect/client/internal";
import type { RunDone } from "@dspy-connect/core-proto";
import { clientError, errorCause } from "./error-cause.js";
import { errorInfo, fromWire, type StreamEvent } from "./events.js";
import { RunClock } from "./run-clock.js";

/**
 * The run's frames as typed events. Never throws: every failure (worker error, abort,
 * deadline, dead worker) becomes the terminal `error` event, and exactly one terminal
 * event (done or error) always comes last.
 */
function terminalEvent<R>(done: RunDone, seq: number, time: number, decodeResult: (value: unknown) => R): StreamEvent<R> {
  const base = { seq: seq + 1, time };
  if (done.eventCount !== seq) {
    const message = `the run sent ${done.eventCount} events, ${seq} arrived`;
    return { type: "error", ...base, code: Code.DataLoss, message, cause: errorCause(Code.DataLoss) };
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
  const clock = new RunClock();
  let seq = 0;
  let terminal: StreamEvent<R> | undefined;
  try {
    // Up to `done`: the channel then lets the RPC end by itself (half-close, trailers), so the
    // reader gets the run's end without waiting for that round trip.
    for await (const response of channel.responses) {
      const kind = response.kind;
      if (kind.case === "events") {
        for (const wire of kind.value.events) {
          const event = fromWire(wire, clock.stamp(wire.timeMs));
          seq = wire.seq;
          if (event) yield event;
        }
      } else if (kind.case === "toolCall") {
        tools.handle(kind.value, channel);
      } else if (kind.case === "done") {
        terminal = terminalEvent(kind.value, seq, clock.stamp(), decodeResult);
        break;
      }
    }
    yield terminal ?? {
      type: "error",
      seq: seq + 1,
      time: clock.stamp(),
      ...clientError(new ConnectError("the run ended without a done message", Code.Internal)),
    };
  } catch (error) {
    yield { type: "error", seq: seq + 1, time: clock.stamp(), ...clientError(ConnectError.from(error)) };
  } finally {
    tools.close(); // a tool still running sees its signal fire
  }
}
