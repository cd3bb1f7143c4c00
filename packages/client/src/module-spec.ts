import { createHash } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { type ModuleSpec, ModuleSpecSchema } from "@dspy-connect/core-proto";
import { encodeJson } from "./json.js";

/** A DSPy module to run: a registered type and its signature. */
export interface ModuleDefinition {
  /** "predict", "chain_of_thought", or a type registered in the worker. */
  readonly type: "predict" | "chain_of_thought" | (string & {});
  /** "question: str, context: list[str] -> answer: int" */
  readonly signature: string;
  readonly instructions?: string;
  /** Module keyword arguments (LM settings such as temperature for predict). */
  readonly config?: Readonly<Record<string, unknown>>;
  /** Saved module state (DSPy dump_state JSON): demos, instructions. */
  readonly state?: unknown;
  /** Python-native tools, by name, from the worker's allowlist. */
  readonly tools?: readonly string[];
}

export function toModuleSpec(module: ModuleDefinition): ModuleSpec {
  return create(ModuleSpecSchema, {
    type: module.type,
    signature: module.signature,
    instructions: module.instructions ?? "",
    configJson: module.config ? encodeJson(module.config, "module.config") : new Uint8Array(),
    stateJson: module.state !== undefined ? encodeJson(module.state, "module.state") : new Uint8Array(),
    tools: [...(module.tools ?? [])],
  });
}

/** A stable id for a module held in a session: the same definition reuses one instance. */
export function moduleId(module: ModuleDefinition): string {
  const key = JSON.stringify([
    module.type,
    module.signature,
    module.instructions ?? "",
    module.config ?? {},
    module.state ?? null,
    module.tools ?? [],
  ]);
  return `${module.type}:${createHash("sha256").update(key).digest("hex").slice(0, 16)}`;
}

/** The optional parts of a module definition that options of every kind carry. */
export type ModuleParts = Pick<ModuleDefinition, "instructions" | "config" | "state">;

/** The module parts of per-call or per-stream options: only those set (an empty config is none). */
export function moduleOptions(options: ModuleParts | undefined): ModuleParts {
  return {
    ...(options?.instructions !== undefined && { instructions: options.instructions }),
    ...(options?.config !== undefined && Object.keys(options.config).length > 0 && { config: options.config }),
    ...(options?.state !== undefined && { state: options.state }),
  };
}
