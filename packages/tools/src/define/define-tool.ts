import { checkToolName, type RunTool, type ToolContext, ToolError } from "@dspy-connect/client";
import { type JsonSchema, type ToolArgs, type ToolInput, toolSchema } from "../schema/tool-schema.js";
import { joinChunks } from "./join-chunks.js";

export interface ToolDefinition<I extends ToolInput, O> {
  /**
   * What the agent calls it: a letter or `_`, then letters, digits, `_` or `-` (64 at most),
   * and not `finish` (DSPy's ReAct has its own). Others throw ConnectError(InvalidArgument).
   */
  readonly name: string;
  /** What it does, for the model. */
  readonly description: string;
  /** The arguments object: zod (or another Standard Schema with JSON Schema output) or JSON Schema. */
  readonly input: I;
  /** Per-call time limit; default: the run's deadline. The call's `signal` fires when it passes. */
  readonly timeoutMs?: number;
  /**
   * Runs the tool on validated arguments. Return the observation, or an async iterable of
   * chunks: each chunk reaches the reader as a `tool_output` event, and the joined chunks
   * (one string when all are strings, else the array) are the observation.
   */
  execute(args: ToolArgs<I>, context: ToolContext): Promise<O> | O | AsyncIterable<O>;
}

/** A TypeScript tool for Python agents. Pass it in a run's `tools`, or register it in a session. */
export interface Tool<Args = unknown, O = unknown> extends RunTool {
  readonly inputSchema: JsonSchema;
  /** @internal the definition, for types */
  readonly "~types"?: { args: Args; output: O };
}

/**
 * Defines a tool. Its name is checked at once, by the worker's rule (ConnectError
 * InvalidArgument). Arguments are validated against `input` before `execute` runs; a
 * failure, a thrown error or a timeout becomes the agent's observation and a `tool_error`
 * event.
 */
export function defineTool<I extends ToolInput, O>(definition: ToolDefinition<I, O>): Tool<ToolArgs<I>, O> {
  checkToolName(definition.name);
  const schema = toolSchema(definition.name, definition.input);
  return {
    name: definition.name,
    description: definition.description,
    inputSchema: schema.jsonSchema,
    timeoutMs: definition.timeoutMs,
    async invoke(args: unknown, context: ToolContext): Promise<unknown> {
      const checked = await schema.validate(args);
      if (!checked.ok) throw new ToolError(`invalid arguments for tool ${definition.name}: ${checked.message}`, "invalid_args");
      const output = await definition.execute(checked.value, context);
      if (!isAsyncIterable(output)) return output;
      const chunks: unknown[] = [];
      for await (const chunk of output) {
        context.signal.throwIfAborted();
        context.emit(chunk);
        chunks.push(chunk);
      }
      return joinChunks(chunks);
    },
  };
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === "object" && value !== null && typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === "function";
}
