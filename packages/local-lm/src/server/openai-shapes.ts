import { randomUUID } from "node:crypto";
import type { Generation } from "./engine.js";

/** The JSON objects of OpenAI's chat completion API that this server sends back. */

export interface Usage {
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  readonly total_tokens: number;
  readonly prompt_tokens_details: { readonly cached_tokens: number };
}

export function usageOf(generation: Generation): Usage {
  return {
    prompt_tokens: generation.promptTokens,
    completion_tokens: generation.completionTokens,
    total_tokens: generation.promptTokens + generation.completionTokens,
    prompt_tokens_details: { cached_tokens: generation.cachedTokens },
  };
}

export function completionId(): string {
  return `chatcmpl-${randomUUID()}`;
}

export function chatCompletion(id: string, model: string, generation: Generation) {
  return {
    id,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      { index: 0, message: { role: "assistant", content: generation.text }, finish_reason: generation.finishReason, logprobs: null },
    ],
    usage: usageOf(generation),
  };
}

export function chatChunk(
  id: string,
  model: string,
  delta: { role?: "assistant"; content?: string },
  finishReason: Generation["finishReason"] | null = null,
) {
  return {
    id,
    object: "chat.completion.chunk",
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }],
  };
}

/** The last chunk of a stream that asked for usage: no choices, only the counts. */
export function usageChunk(id: string, model: string, generation: Generation) {
  return { id, object: "chat.completion.chunk", created: Math.floor(Date.now() / 1000), model, choices: [], usage: usageOf(generation) };
}

export type ErrorType = "invalid_request_error" | "not_found_error" | "server_error";

export function errorBody(message: string, type: ErrorType, code: string | null = null) {
  return { error: { message, type, param: null, code } };
}
