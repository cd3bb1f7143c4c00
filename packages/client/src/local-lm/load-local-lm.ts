import { Code, ConnectError } from "../errors.js";

type Importer = (specifier: string) => Promise<unknown>;

/**
 * The server entry of `@dspy-connect/local-lm`, an optional peer: apps that only use hosted
 * LMs don't install llama.cpp.
 */
export async function localLmServerEntry(importer: Importer = (s) => import(s)): Promise<string> {
  try {
    const { serverEntry } = (await importer("@dspy-connect/local-lm")) as { serverEntry: string };
    return serverEntry;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "ERR_MODULE_NOT_FOUND" && code !== "MODULE_NOT_FOUND") throw error;
    throw new ConnectError(
      'lm "local" needs the embedded model package: npm install @dspy-connect/local-lm (or pass lm: "provider/model")',
      Code.FailedPrecondition,
    );
  }
}
