import { ToolError } from "./run-tool.js";

const encoder = new TextEncoder();

/**
 * JSON bytes, refusing what JSON.stringify would silently change: functions, symbols,
 * `undefined` in arrays, Maps and Sets (BigInt and cycles already throw).
 */
export function strictJson(value: unknown, what: string): Uint8Array {
  let text: string | undefined;
  try {
    text = JSON.stringify(value, function (key, item: unknown) {
      const where = key === "" ? "" : ` at ${JSON.stringify(key)}`;
      if (typeof item === "function" || typeof item === "symbol") throw new Error(`a ${typeof item}${where}`);
      if (item === undefined && Array.isArray(this)) throw new Error(`undefined in an array${where}`);
      if (item instanceof Map || item instanceof Set) throw new Error(`a ${item.constructor.name}${where}`);
      return item;
    });
  } catch (error) {
    throw new ToolError(`${what} is not JSON-serialisable: ${error instanceof Error ? error.message : String(error)}`, "not_serializable", {
      cause: error,
    });
  }
  if (text === undefined) throw new ToolError(`${what} is not JSON-serialisable`, "not_serializable");
  return encoder.encode(text);
}
