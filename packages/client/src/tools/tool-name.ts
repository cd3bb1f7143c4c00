import { getOption } from "@bufbuild/protobuf";
import { file_dspy_connect_v1_tool_names, type ToolNameRules, tool_names } from "@dspy-connect/core-proto";
import { Code, ConnectError } from "../errors.js";

// What a tool may be called, read from tool_names.proto's `tool_names` file option. The
// worker reads the same option and refuses the same names, so a bad one fails here, where
// the tool is defined, with the words the worker would use.

/** The rules for a tool's name: `pattern` (matched whole), `rule` (in words), `reserved`. */
export const TOOL_NAME_RULES: ToolNameRules = getOption(file_dspy_connect_v1_tool_names, tool_names);

const TOOL_NAME = new RegExp(`^(?:${TOOL_NAME_RULES.pattern})$`);

/** Throws ConnectError(InvalidArgument) for a name the worker would refuse. */
export function checkToolName(name: string): void {
  if (!TOOL_NAME.test(name)) {
    throw new ConnectError(`tool name ${JSON.stringify(name)} must be ${TOOL_NAME_RULES.rule}`, Code.InvalidArgument);
  }
  if (TOOL_NAME_RULES.reserved.includes(name)) {
    throw new ConnectError(
      `tool name ${JSON.stringify(name)} is reserved: DSPy's agents have a tool of that name, which would replace this one`,
      Code.InvalidArgument,
    );
  }
}
