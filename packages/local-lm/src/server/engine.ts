import type { Llama, LlamaContext, LlamaModel } from "node-llama-cpp";
import { GrammarCache } from "./grammars.js";
import { type ChatMessage, type PromptFormat, type PromptRenderer, promptRenderer } from "./prompt.js";
import { SlotPool, sharedPrefix } from "./slots.js";

export interface GenerateRequest {
  readonly messages: readonly ChatMessage[];
  readonly maxTokens?: number;
  readonly temperature?: number;
  readonly topP?: number;
  readonly seed?: number;
  readonly stop: readonly string[];
  /** A JSON schema to constrain the reply to; `{}` for any JSON. */
  readonly jsonSchema?: unknown;
  readonly signal: AbortSignal;
  /** Called with each piece of text as it is generated. */
  readonly onText?: (text: string) => void;
}

export interface Generation {
  readonly text: string;
  readonly finishReason: "stop" | "length";
  readonly promptTokens: number;
  /** Prompt tokens the slot already held in its KV cache, so were not evaluated again. */
  readonly cachedTokens: number;
  readonly completionTokens: number;
}

/** A request the model cannot take (its prompt does not fit, its schema has no grammar). */
export class RequestRejected extends Error {}

/** The loaded model, its context's slots and what turns a chat into tokens. */
export class Engine {
  readonly slots: SlotPool;
  private readonly renderer: PromptRenderer;
  private readonly grammars: GrammarCache;

  constructor(
    llama: Llama,
    readonly model: LlamaModel,
    private readonly context: LlamaContext,
    format: PromptFormat,
  ) {
    this.slots = new SlotPool(context);
    this.renderer = promptRenderer(model, format);
    this.grammars = new GrammarCache(llama);
  }

  get promptFormat(): PromptFormat {
    return this.renderer.format;
  }

  /** Tokens one sequence holds: prompt and reply together. */
  get contextSize(): number {
    return this.context.contextSize;
  }

  async generate(request: GenerateRequest): Promise<Generation> {
    const prompt = this.renderer.render(request.messages);
    const tokens = prompt.text.tokenize(this.model.tokenizer);
    const room = this.contextSize - tokens.length;
    if (room < 1 || (request.maxTokens !== undefined && request.maxTokens > room)) {
      throw new RequestRejected(
        `the prompt is ${tokens.length} tokens and the reply may take ${request.maxTokens ?? 1}; the context holds ${this.contextSize} (context length exceeded)`,
      );
    }
    const grammar = request.jsonSchema === undefined ? undefined : await this.grammarFor(request.jsonSchema);
    const slot = await this.slots.acquire(tokens, request.signal);
    // At least the last prompt token is evaluated again: it yields the first reply token.
    const cachedTokens = Math.min(sharedPrefix(slot.sequence.contextTokens, tokens), tokens.length - 1);
    let completionTokens = 0;
    try {
      const result = await slot.completion.generateCompletionWithMeta(tokens, {
        maxTokens: request.maxTokens ?? room,
        temperature: request.temperature ?? 0,
        ...(request.topP !== undefined ? { topP: request.topP } : {}),
        ...(request.seed !== undefined ? { seed: request.seed } : {}),
        grammar,
        customStopTriggers: [...prompt.stopTriggers, ...request.stop],
        signal: request.signal,
        stopOnAbortSignal: true,
        // The reply must fit as it is: shifting the context would drop the prompt's start.
        disableContextShift: true,
        onToken: (generated) => {
          completionTokens += generated.length;
        },
        ...(request.onText ? { onTextChunk: request.onText } : {}),
      });
      return {
        text: result.response,
        finishReason: result.metadata.stopReason === "maxTokens" ? "length" : "stop",
        promptTokens: tokens.length,
        cachedTokens,
        completionTokens,
      };
    } finally {
      this.slots.release(slot);
    }
  }

  private async grammarFor(schema: unknown) {
    try {
      return await this.grammars.get(schema);
    } catch (error) {
      throw new RequestRejected(`response_format: cannot build a grammar from this JSON schema: ${(error as Error).message}`);
    }
  }
}
