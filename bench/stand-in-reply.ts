// What the stand-in server (bench/openai-stand-in.ts) answers, in the text format DSPy's
// ChatAdapter parses for ChainOfThought, and what the benchmark checks each answer against.

export const ANSWER = "Paris";

/** The reply as `chunks` pieces (at least 5): field markers on their own, as a tokenizer would send them. */
export function replyChunks(chunks: number): string[] {
  const content = Math.max(2, chunks - 3);
  const reasoning = Math.max(1, content - Math.max(1, Math.floor(content / 3)));
  const words = (n: number, word: string) => Array.from({ length: n }, (_, i) => ` ${word}${i + 1}`);
  return [
    "[[ ## reasoning ## ]]\n",
    ...words(reasoning, "step"),
    "\n\n[[ ## answer ## ]]\n",
    ANSWER,
    ...words(content - reasoning - 1, "and"),
    "\n\n[[ ## completed ## ]]",
  ];
}
