/**
 * The arguments an operation needs that `args` lacks, as an error message naming each,
 * or undefined when none is missing. Runs before anything is sent, so a forgotten
 * `signature` is not mistaken for a command named "predict".
 */
export function missingArgs(operation: string, args: object, needed: readonly string[]): string | undefined {
  const missing = needed.filter((name) => (args as Record<string, unknown>)[name] === undefined);
  if (missing.length === 0) return undefined;
  const names = missing.map((name) => `\`${name}\``);
  const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
  return `stream("${operation}") needs ${list}`;
}
