/** Why a tool call failed, as the worker and the `tool_error` event name it. */
export type ToolErrorKind = (typeof TOOL_ERROR_KINDS)[number];

/** Every ToolErrorKind, as the wire and the `tool_error` event carry them. */
export const TOOL_ERROR_KINDS = ["error", "timeout", "invalid_args", "unknown_tool", "not_serializable", "cancelled"] as const;

// Symbol.for: a ToolError thrown by a tool built with another installed copy of this
// package is still recognised (see isToolError).
const TOOL_ERROR = Symbol.for("@dspy-connect/client.tool-error");

/** A failed tool call. Its message becomes the agent's observation. */
export class ToolError extends Error {
  override readonly name = "ToolError";
  constructor(
    message: string,
    readonly kind: ToolErrorKind = "error",
    options?: { cause?: unknown },
  ) {
    super(message, options);
    Object.defineProperty(this, TOOL_ERROR, { value: true });
  }
}

/** True for a ToolError of any installed copy of @dspy-connect/client. */
export function isToolError(value: unknown): value is ToolError {
  return value instanceof Error && (value as unknown as Record<symbol, unknown>)[TOOL_ERROR] === true;
}

/** What a tool's code gets besides its arguments. */
export interface ToolContext {
  /** Aborted when the run ends or is cancelled, or the tool's timeout passes. */
  readonly signal: AbortSignal;
  /** The call's id, as in the run's `tool_start` / `tool_output` / `tool_error` events. */
  readonly callId: string;
  /** The id of the session the run belongs to, if any. */
  readonly sessionId: string | undefined;
  /** Streams a chunk of output to the reader as a `tool_output` event. */
  emit(chunk: unknown): void;
}

/**
 * A TypeScript tool a Python agent may call during a run. `@dspy-connect/tools` makes
 * them from zod / Standard Schema / JSON Schema with `defineTool`; any object of this
 * shape works.
 */
export interface RunTool {
  readonly name: string;
  readonly description: string;
  /** JSON Schema of the arguments object: `{ type: "object", properties, required }`. */
  readonly inputSchema: Readonly<Record<string, unknown>>;
  /** Per-call time limit; default: the run's own deadline. */
  readonly timeoutMs?: number | undefined;
  /**
   * Runs the tool; resolves to the observation the agent sees (JSON-serialisable).
   * Throw a ToolError (or any error) to fail the call.
   */
  invoke(args: unknown, context: ToolContext): Promise<unknown>;
}

export function isRunTool(value: unknown): value is RunTool {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as RunTool).invoke === "function" &&
    typeof (value as RunTool).name === "string"
  );
}
