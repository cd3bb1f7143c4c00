import { encodeJson } from "@dspy-connect/client";
import type { RunStream } from "../stream/run-stream.js";
import { type StreamOptions, type StreamTarget, startStream } from "../stream/target.js";

/**
 * Runs a Python streaming command registered in the worker with
 * `@stream_command("name")` (dspy_connect.commands). Its `run.emit(type, data)` calls
 * arrive as `custom` events; its return value is the result. An unknown command ends
 * with an `error` event (NotFound).
 */
export function executeStream<R = unknown>(
  target: StreamTarget,
  command: string,
  args: unknown = {},
  options: StreamOptions<R> = {},
): RunStream<R> {
  return startStream<R>(
    target,
    () => ({ operation: { case: "command", value: { command, argsJson: encodeJson(args, "args") } } }),
    options,
    (value) => value as R,
  );
}
