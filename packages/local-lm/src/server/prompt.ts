import { type ChatHistoryItem, type ChatWrapper, type LlamaModel, LlamaText, resolveChatWrapper } from "node-llama-cpp";

export interface ChatMessage {
  readonly role: "system" | "user" | "assistant" | "tool" | "developer";
  readonly content: string;
}

/** What a completion evaluates: the rendered chat, and where the model's turn ends. */
export interface Prompt {
  readonly text: LlamaText;
  readonly stopTriggers: readonly LlamaText[];
}

/**
 * How a chat becomes the model's input.
 * - `template`: the model's own chat template (from the GGUF), as an instruct model expects.
 * - `plain`: plain text ("User: ..." / "Assistant:"), for base models that echo chat markup.
 */
export type PromptFormat = "template" | "plain";

export interface PromptRenderer {
  readonly format: PromptFormat;
  render(messages: readonly ChatMessage[]): Prompt;
}

export function promptRenderer(model: LlamaModel, format: PromptFormat): PromptRenderer {
  if (format === "plain") return { format, render: renderPlain };
  const wrapper = resolveChatWrapper(model);
  return { format, render: (messages) => renderTemplate(wrapper, messages) };
}

const PLAIN_ROLES: Record<ChatMessage["role"], string> = {
  system: "",
  developer: "",
  user: "User",
  assistant: "Assistant",
  tool: "Tool",
};

function renderPlain(messages: readonly ChatMessage[]): Prompt {
  const parts = messages.map((m) => {
    const text = m.content.trim();
    return PLAIN_ROLES[m.role] ? `${PLAIN_ROLES[m.role]}: ${text}` : text;
  });
  return { text: LlamaText(`${parts.join("\n\n")}\n\nAssistant:`), stopTriggers: [LlamaText("\nUser:")] };
}

function renderTemplate(wrapper: ChatWrapper, messages: readonly ChatMessage[]): Prompt {
  const history: ChatHistoryItem[] = messages.map((m) => {
    if (m.role === "system" || m.role === "developer") return { type: "system", text: m.content };
    if (m.role === "assistant") return { type: "model", response: [m.content] };
    return { type: "user", text: m.content };
  });
  // An empty model turn at the end: the template renders its opening, and generation fills it.
  history.push({ type: "model", response: [] });
  const state = wrapper.generateContextState({ chatHistory: history });
  return { text: state.contextText, stopTriggers: state.stopGenerationTriggers };
}
