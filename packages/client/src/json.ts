import { Code, ConnectError } from "./errors.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** JSON bytes for a proto envelope; values JSON cannot carry fail here, not in Python. */
export function encodeJson(value: unknown, what: string): Uint8Array {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new ConnectError(`${what} is not JSON-serialisable: ${(error as Error).message}`, Code.InvalidArgument);
  }
  if (text === undefined) throw new ConnectError(`${what} is not JSON-serialisable`, Code.InvalidArgument);
  return encoder.encode(text);
}

export function decodeJson<T>(bytes: Uint8Array): T {
  return (bytes.length ? JSON.parse(decoder.decode(bytes)) : {}) as T;
}
