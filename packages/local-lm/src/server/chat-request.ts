import { z } from "zod";
import type { ChatMessage } from "./prompt.js";

const textPart = z.object({ type: z.literal("text"), text: z.string() });

const message = z.object({
  role: z.enum(["system", "developer", "user", "assistant", "tool"]),
  // OpenAI allows text parts; images and audio have no meaning for this model.
  content: z.union([z.string(), z.array(textPart), z.null()]).optional(),
});

const responseFormat = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text") }),
  // The form llama-cpp-python's server takes, which DSPy's local adapter sends.
  z.object({ type: z.literal("json_object"), schema: z.unknown().optional() }),
  z.object({ type: z.literal("json_schema"), json_schema: z.object({ name: z.string().optional(), schema: z.unknown().optional() }) }),
]);

/** The subset of OpenAI's chat completion request this server honours; other fields are ignored. */
export const chatRequestSchema = z.object({
  model: z.string().optional(),
  messages: z.array(message).min(1, "messages must hold at least one message"),
  stream: z.boolean().optional(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().gt(0).max(1).nullish(),
  seed: z.number().int().nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
  n: z.literal(1, "only n = 1 is supported").nullish(),
  response_format: responseFormat.nullish(),
});

export type ChatRequest = z.infer<typeof chatRequestSchema>;

export function chatMessages(request: ChatRequest): ChatMessage[] {
  return request.messages.map((m) => ({
    role: m.role,
    content: typeof m.content === "string" ? m.content : (m.content ?? []).map((p) => p.text).join(""),
  }));
}

/** The JSON schema to constrain the reply with: `{}` for plain JSON mode, undefined for text. */
export function requestedSchema(request: ChatRequest): unknown {
  const format = request.response_format;
  if (!format || format.type === "text") return undefined;
  const schema = format.type === "json_schema" ? format.json_schema.schema : format.schema;
  return schema ?? {};
}

export function stopSequences(request: ChatRequest): string[] {
  const stop = request.stop;
  return stop == null ? [] : typeof stop === "string" ? [stop] : stop;
}
