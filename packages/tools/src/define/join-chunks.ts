/** A streamed tool's observation: its chunks joined into one string when all are strings, else the array. */
export function joinChunks(chunks: readonly unknown[]): unknown {
  return chunks.every((chunk) => typeof chunk === "string") ? chunks.join("") : [...chunks];
}
