export { defineTool, type Tool, type ToolDefinition } from "./define/define-tool.js";
export { joinChunks } from "./define/join-chunks.js";
export type { JsonSchema, ToolArgs, ToolInput } from "./schema/tool-schema.js";
export { ToolError, ToolRegistry, type RunTool, type ToolContext, type ToolErrorKind } from "@dspy-connect/client";
