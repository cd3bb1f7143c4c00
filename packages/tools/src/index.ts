export { type RunTool, type ToolContext, ToolError, type ToolErrorKind, ToolRegistry } from "@dspy-connect/client";
export { defineTool, type Tool, type ToolDefinition } from "./define/define-tool.js";
export { joinChunks } from "./define/join-chunks.js";
export type { JsonSchema, ToolArgs, ToolInput } from "./schema/tool-schema.js";
