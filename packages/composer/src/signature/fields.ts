import { Code, ConnectError } from "@dspy-connect/client";

// Signature strings at run time, enough for the builder's checks: field names and their
// type text. The worker parses them again against its type allowlist.

export interface Field {
  readonly name: string;
  /** The Python type as written ("list[str]"); "str" when none is given. */
  readonly type: string;
}

/** Splits at `sep` outside brackets and quotes. */
export function splitTop(text: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote = "";
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = "";
    } else if (c === "'" || c === '"') quote = c;
    else if (c === "[") depth++;
    else if (c === "]") depth--;
    else if (c === sep && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

export function parseFields(text: string, where: string): Field[] {
  const fields: Field[] = [];
  for (const raw of splitTop(text, ",")) {
    if (!raw.trim()) continue;
    const colon = raw.indexOf(":");
    const name = (colon < 0 ? raw : raw.slice(0, colon)).trim();
    const type = colon < 0 ? "str" : raw.slice(colon + 1).trim() || "str";
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name))
      throw new ConnectError(`${where}: invalid field name ${JSON.stringify(name)}`, Code.InvalidArgument);
    if (fields.some((f) => f.name === name)) throw new ConnectError(`${where}: duplicate field ${name}`, Code.InvalidArgument);
    fields.push({ name, type });
  }
  return fields;
}

export function parseSignature(signature: string, where: string): { inputs: Field[]; outputs: Field[] } {
  const sides = typeof signature === "string" ? signature.split("->") : [];
  if (sides.length !== 2)
    throw new ConnectError(`${where}: signature ${JSON.stringify(signature)} must have exactly one "->"`, Code.InvalidArgument);
  const outputs = parseFields(sides[1]!, where);
  if (outputs.length === 0)
    throw new ConnectError(`${where}: signature ${JSON.stringify(signature)} has no output fields`, Code.InvalidArgument);
  return { inputs: parseFields(sides[0]!, where), outputs };
}

function normalize(type: string): string {
  let t = type.replace(/\s+/g, "").replace(/\b(List|Dict|Tuple|Set)\b/g, (m) => m.toLowerCase());
  const optional = /^Optional\[(.*)\]$/.exec(t);
  if (optional) t = `${optional[1]}|None`;
  return t;
}

const KNOWN = /^(str|int|float|bool|None|list|dict|tuple|set)(\[|$)/;

/**
 * Whether a value of type `produced` may feed a field of type `consumed`: the worker's
 * rule, on type text. Lenient where it cannot tell (types registered in the worker); the
 * worker checks again, and validates every value at run time.
 */
export function compatible(produced: string, consumed: string): boolean {
  const p = normalize(produced);
  const c = normalize(consumed);
  if (p === c || p === "Any" || c === "Any") return true;
  if (c === "float" && p === "int") return true;
  const pParts = splitTop(p, "|");
  if (pParts.length > 1) return pParts.every((part) => compatible(part, c));
  const cParts = splitTop(c, "|");
  if (cParts.length > 1) return cParts.some((part) => compatible(p, part));
  if (p.startsWith("Literal[")) return c === "str" || c.startsWith("Literal[");
  if (c.startsWith("Literal[")) return p === "str";
  if (["list", "dict", "tuple", "set"].includes(c)) return p === c || p.startsWith(`${c}[`);
  if (!KNOWN.test(p) || !KNOWN.test(c)) return true;
  const pHead = p.split("[")[0];
  const cHead = c.split("[")[0];
  if (pHead !== cHead || !p.includes("[") || !c.includes("[")) return false;
  const pArgs = splitTop(p.slice(pHead!.length + 1, -1), ",");
  const cArgs = splitTop(c.slice(cHead!.length + 1, -1), ",");
  return pArgs.length === cArgs.length && pArgs.every((arg, i) => compatible(arg, cArgs[i]!));
}

/** The element type of a list type, else "Any". */
export function elementType(type: string): string {
  const t = normalize(type);
  const match = /^(list|tuple|set)\[(.*)\]$/.exec(t);
  return match ? splitTop(match[2]!, ",")[0]! : "Any";
}
