import { create } from "@bufbuild/protobuf";
import { type LmConfig, LmConfigSchema } from "@dspy-connect/core-proto";
import { Code, ConnectError } from "./errors.js";
import { encodeJson } from "./json.js";
import type { LmOption } from "./options.js";

export function lmModel(lm: LmOption | undefined): string | undefined {
  return typeof lm === "string" ? lm : lm?.model;
}

export function toLmConfig(lm: LmOption | undefined): LmConfig | undefined {
  if (lm === undefined) return undefined;
  const settings = typeof lm === "string" ? { model: lm } : lm;
  return create(LmConfigSchema, {
    model: settings.model,
    apiBase: settings.apiBase ?? "",
    apiKey: settings.apiKey ?? "",
    temperature: settings.temperature,
    maxTokens: settings.maxTokens,
    cache: settings.cache,
    kwargsJson: settings.kwargs ? encodeJson(settings.kwargs, "lm.kwargs") : new Uint8Array(),
  });
}

/** A model the worker cannot route: fails at once, on this side. */
export function checkLmModel(lm: LmOption): void {
  const model = typeof lm === "string" ? lm : lm.model;
  if (model !== "local" && !model.includes("/")) {
    throw new ConnectError(`lm "${model}" must be "local" or a LiteLLM "provider/model" string`, Code.InvalidArgument);
  }
}
