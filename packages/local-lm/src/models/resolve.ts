import { basename } from "node:path";
import type { PromptFormat } from "../server/prompt.js";
import { LOCAL_MODELS, type LocalModel } from "./catalogue.js";
import { type PrepareOptions, prepareModel } from "./prepare.js";

/** The model chosen by measurement (docs/benchmarks.md, "answer accuracy"). */
export const DEFAULT_LOCAL_MODEL = "smollm2-135m-instruct";

export interface ResolvedModel {
  readonly path: string;
  /** The model id the server answers with. */
  readonly id: string;
  /** For a GGUF path: "auto" (the chat template if the file has one, else plain text). */
  readonly promptFormat: PromptFormat | "auto";
  readonly catalogue?: LocalModel;
}

export function findLocalModel(name: string): LocalModel | undefined {
  return LOCAL_MODELS.find((m) => m.name === name);
}

/**
 * A catalogue name (fetched into the cache if needed) or a path to any GGUF file.
 * Empty means the default model.
 */
export async function resolveModel(spec: string | undefined, options: PrepareOptions = {}): Promise<ResolvedModel> {
  const name = spec || DEFAULT_LOCAL_MODEL;
  const known = findLocalModel(name);
  if (known) return { path: await prepareModel(known, options), id: known.name, promptFormat: known.promptFormat, catalogue: known };
  if (!name.endsWith(".gguf")) {
    const names = LOCAL_MODELS.map((m) => m.name).join(", ");
    throw new Error(`local model "${name}" is neither a known model (${names}) nor a path to a .gguf file`);
  }
  return { path: name, id: basename(name, ".gguf"), promptFormat: "auto" };
}
