import { create } from "@bufbuild/protobuf";
import { type RunResponse, type ToolSpec, ToolSpecSchema } from "@dspy-connect/core-proto";
import { publish } from "../diagnostics/channels.js";
import { Code, ConnectError } from "../errors.js";
import { decodeJson } from "../json.js";
import type { RunChannel } from "../run/open-run.js";
import { isSession } from "../session/brand.js";
import { isRunTool, isToolError, type RunTool, ToolError, type ToolErrorKind } from "./run-tool.js";
import { strictJson } from "./strict-json.js";
import { checkTool } from "./tool-registry.js";

type ToolCall = Extract<RunResponse["kind"], { case: "toolCall" }>["value"];
export interface ResolvedTools {
  readonly tools: RunTools;
  /** Names that are not TypeScript tools: Python tools from the worker's allowlist. */
  readonly pythonNames: string[];
  /** Every tool's name, TypeScript tools first: what an agent's ModuleSpec.tools lists. */
  readonly names: string[];
}

/** A tool a run may use: a TypeScript tool, or a name (a session tool's id, else a Python tool). */
export type ToolRef = string | RunTool;

const encoder = new TextEncoder();

/**
 * The TypeScript tools of one run: their specs for the worker, and the answers to the
 * worker's tool calls. Only these tools can be called. Each call gets its own AbortSignal,
 * fired by its timeout or when the run ends.
 */
export class RunTools {
  private readonly pending = new Map<string, AbortController>();

  private constructor(
    private readonly tools: ReadonlyMap<string, RunTool>,
    private readonly sessionId: string | undefined,
  ) {}

  /**
   * Resolves a run's tool refs: TypeScript tools as given, names of the session's tools to
   * those tools. Other names are returned as Python tool names.
   */
  static resolve(target: unknown, refs: readonly ToolRef[] = []): ResolvedTools {
    const session = isSession(target) ? target : undefined;
    const tools = new Map<string, RunTool>();
    const pythonNames: string[] = [];
    for (const ref of refs) {
      const tool = typeof ref === "string" ? session?.tools.get(ref) : ref;
      if (typeof ref === "string" && tool === undefined) {
        pythonNames.push(ref);
        continue;
      }
      if (!isRunTool(tool)) throw new ConnectError(`not a tool: ${String(ref)}`, Code.InvalidArgument);
      checkTool(tool);
      const known = tools.get(tool.name);
      if (known && known !== tool) throw new ConnectError(`two different tools are named ${tool.name}`, Code.InvalidArgument);
      tools.set(tool.name, tool);
    }
    return { tools: new RunTools(tools, session?.id), pythonNames, names: [...tools.keys(), ...pythonNames] };
  }

  get size(): number {
    return this.tools.size;
  }

  /** The specs the worker gets in RunStart.tools. */
  specs(): ToolSpec[] {
    return [...this.tools.values()].map((tool) =>
      create(ToolSpecSchema, {
        name: tool.name,
        description: tool.description,
        inputSchemaJson: encoder.encode(JSON.stringify(tool.inputSchema)),
        timeoutMs: tool.timeoutMs ?? 0,
      }),
    );
  }

  /** Runs a call the worker asked for and sends back its result (never throws). */
  handle(call: ToolCall, channel: RunChannel): void {
    const { callId, toolName } = call;
    const info = { run: channel.info, call, startedAt: performance.now() };
    publish("dspy-connect:tool:start", info);
    const fail = (kind: ToolErrorKind, message: string): void => {
      publish("dspy-connect:tool:end", { info, error: { kind, message }, at: performance.now() });
      failCall(channel, callId, kind, message);
    };
    const tool = this.tools.get(toolName);
    if (!tool) {
      fail("unknown_tool", `no TypeScript tool ${toolName} on this run; it has ${[...this.tools.keys()].join(", ") || "none"}`);
      return;
    }
    const controller = new AbortController();
    this.pending.set(callId, controller);
    const timer =
      call.timeoutMs > 0
        ? setTimeout(
            () => controller.abort(new ToolError(`tool ${toolName} timed out after ${call.timeoutMs} ms`, "timeout")),
            call.timeoutMs,
          )
        : undefined;
    const emit = (chunk: unknown): void => {
      if (controller.signal.aborted) return;
      const chunkJson = strictJson(chunk, `a chunk of tool ${toolName}'s output`);
      channel.send({ kind: { case: "toolOutput", value: { callId, chunkJson } } });
    };
    void (async () => {
      let args: unknown;
      try {
        args = call.argsJson.length ? decodeJson(call.argsJson) : {};
      } catch (error) {
        throw new ToolError(`invalid arguments for tool ${toolName}: ${describe(error)}`, "invalid_args");
      }
      const output = await tool.invoke(args, { signal: controller.signal, callId, sessionId: this.sessionId, emit });
      const outputJson = strictJson(output ?? null, `tool ${toolName}'s result`);
      publish("dspy-connect:tool:end", { info, error: undefined, at: performance.now() });
      channel.send({ kind: { case: "toolResult", value: { callId, outcome: { case: "outputJson", value: outputJson } } } });
    })()
      .catch((error: unknown) => {
        const reason = controller.signal.aborted ? controller.signal.reason : undefined;
        const failure = isToolError(reason) ? reason : error;
        fail(
          isToolError(failure) ? failure.kind : "error",
          isToolError(failure) ? failure.message : `${toolName} failed: ${describe(failure)}`,
        );
      })
      .finally(() => {
        clearTimeout(timer);
        this.pending.delete(callId);
      });
  }

  /** The run is over: aborts every call still running. */
  close(): void {
    for (const controller of this.pending.values()) controller.abort(new ToolError("the run ended before the tool finished", "cancelled"));
    this.pending.clear();
  }
}

function failCall(channel: RunChannel, callId: string, kind: ToolErrorKind, message: string): void {
  channel.send({ kind: { case: "toolResult", value: { callId, outcome: { case: "error", value: message }, errorKind: kind } } });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
