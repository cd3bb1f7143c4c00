import type { GbnfJsonSchema, Llama, LlamaGrammar } from "node-llama-cpp";
import { toGrammarSchema } from "./json-schema.js";

const MAX_CACHED = 64;

/**
 * JSON-schema grammars, built once per distinct schema: a DSPy program sends the same
 * signature's schema on every call, and building a grammar costs milliseconds.
 */
export class GrammarCache {
  private readonly cache = new Map<string, Promise<LlamaGrammar>>();

  constructor(private readonly llama: Llama) {}

  get(schema: unknown): Promise<LlamaGrammar> {
    const key = JSON.stringify(schema);
    let grammar = this.cache.get(key);
    if (grammar) {
      this.cache.delete(key); // re-inserted below: the map's order is least recently used first
    } else {
      grammar = isEmptySchema(schema)
        ? this.llama.getGrammarFor("json")
        : this.llama.createGrammarForJsonSchema<GbnfJsonSchema>(toGrammarSchema(schema));
      // A schema that fails to build is not kept: the error goes to this request alone.
      grammar.catch(() => this.cache.delete(key));
    }
    this.cache.set(key, grammar);
    if (this.cache.size > MAX_CACHED) this.cache.delete(this.cache.keys().next().value!);
    return grammar;
  }
}

function isEmptySchema(schema: unknown): boolean {
  return typeof schema === "object" && schema !== null && Object.keys(schema).length === 0;
}
