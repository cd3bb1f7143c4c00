import { Code, ConnectError } from "../errors.js";
import type { LmOption } from "../options.js";

// The key each hosted LiteLLM provider reads from the environment.
const PROVIDER_KEYS: Readonly<Record<string, string>> = {
  openai: "OPENAI_API_KEY",
  anthropic: "ANTHROPIC_API_KEY",
  gemini: "GEMINI_API_KEY",
  groq: "GROQ_API_KEY",
  mistral: "MISTRAL_API_KEY",
  cohere: "COHERE_API_KEY",
  deepseek: "DEEPSEEK_API_KEY",
  openrouter: "OPENROUTER_API_KEY",
  together_ai: "TOGETHERAI_API_KEY",
  xai: "XAI_API_KEY",
  fireworks_ai: "FIREWORKS_AI_API_KEY",
};

/**
 * Fails at once, with the variable to set, when a hosted model has no key: better than a
 * LiteLLM stack trace from the first call. Models with an explicit key or api base
 * (self-hosted OpenAI-compatible servers) and providers we don't know are not checked.
 */
export function checkCredentials(lm: LmOption, env: Readonly<Record<string, string | undefined>>): void {
  const settings = typeof lm === "string" ? { model: lm } : lm;
  if (settings.model === "local" || ("apiKey" in settings && settings.apiKey) || ("apiBase" in settings && settings.apiBase)) return;
  const provider = settings.model.split("/")[0] ?? "";
  if (!settings.model.includes("/")) {
    throw new ConnectError(`lm "${settings.model}" must be "local" or a LiteLLM "provider/model" string`, Code.InvalidArgument);
  }
  const key = PROVIDER_KEYS[provider];
  if (key && !env[key]) {
    throw new ConnectError(
      `lm "${settings.model}" needs ${key} in the environment (or pass lm: { model, apiKey })`,
      Code.FailedPrecondition,
    );
  }
}
