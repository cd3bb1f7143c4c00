import { Code, ConnectError } from "../errors.js";
import type { RunTool } from "./run-tool.js";
import { checkToolName } from "./tool-name.js";

/** Checks a tool's name and schema before it is offered to an agent. */
export function checkTool(tool: RunTool): void {
  checkToolName(tool.name);
  const schema = tool.inputSchema;
  if (schema.type !== "object" || typeof schema.properties !== "object" || schema.properties === null) {
    throw new ConnectError(`tool ${tool.name}: its input schema must be an object schema with properties`, Code.InvalidArgument);
  }
  if (tool.timeoutMs !== undefined && !(tool.timeoutMs > 0)) {
    throw new ConnectError(`tool ${tool.name}: timeoutMs must be positive`, Code.InvalidArgument);
  }
}

/**
 * The TypeScript tools of a session. A run in the session names them by id (the tool's
 * name) in its `tools`; only tools registered here or given to the run can be called.
 */
export class ToolRegistry {
  private readonly tools = new Map<string, RunTool>();

  /** Registers tools and returns their ids. Fails, registering none, on a bad or taken name. */
  registerBatch(tools: readonly RunTool[]): string[] {
    const names = new Set<string>();
    for (const tool of tools) {
      checkTool(tool);
      if (this.tools.has(tool.name) || names.has(tool.name)) {
        throw new ConnectError(`a tool named ${tool.name} is already registered`, Code.AlreadyExists);
      }
      names.add(tool.name);
    }
    for (const tool of tools) this.tools.set(tool.name, tool);
    return [...names];
  }

  register(tool: RunTool): string {
    return this.registerBatch([tool])[0]!;
  }

  unregister(id: string): boolean {
    return this.tools.delete(id);
  }

  get(id: string): RunTool | undefined {
    return this.tools.get(id);
  }

  list(): RunTool[] {
    return [...this.tools.values()];
  }
}
