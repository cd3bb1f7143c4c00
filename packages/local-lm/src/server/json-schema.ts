import type { GbnfJsonSchema } from "node-llama-cpp";

/** A schema node as clients send it: any JSON Schema object. */
type Schema = Record<string, unknown>;

export class UnsupportedSchemaError extends Error {}

const ANY_VALUE: Schema = {
  oneOf: [{ type: ["string", "number", "boolean", "null"] }, { type: "array" }, { type: "object", additionalProperties: true }],
};

const STRING_FORMATS = new Set(["date-time", "time", "date"]);

/**
 * The JSON Schema a client sends (pydantic's, via DSPy and LiteLLM), in the subset
 * node-llama-cpp turns into a grammar: `anyOf` becomes `oneOf`, a single `allOf` is inlined,
 * annotations and validation-only keywords (title, pattern, minimum...) are dropped, and an
 * object with listed properties takes no others, so decoding stays on the schema.
 */
export function toGrammarSchema(schema: unknown): GbnfJsonSchema {
  return convert(schema, "#") as GbnfJsonSchema;
}

function convert(node: unknown, path: string): Schema {
  if (node === true || (isObject(node) && Object.keys(node).every((k) => k === "title" || k === "description" || k === "default")))
    return ANY_VALUE;
  if (!isObject(node)) throw new UnsupportedSchemaError(`${path}: a schema must be an object`);
  const out: Schema = {};
  if (typeof node.description === "string") out.description = node.description;
  if (isObject(node.$defs)) out.$defs = mapValues(node.$defs, (v, k) => convert(v, `${path}/$defs/${k}`));
  if (typeof node.$ref === "string") {
    if (!node.$ref.startsWith("#/$defs/")) throw new UnsupportedSchemaError(`${path}: only local "#/$defs/..." references are supported`);
    return { ...out, $ref: node.$ref };
  }
  if ("const" in node) return { ...out, const: node.const };
  if (Array.isArray(node.enum)) return { ...out, enum: node.enum };
  const alternatives = node.anyOf ?? node.oneOf;
  if (Array.isArray(alternatives)) return { ...out, oneOf: alternatives.map((a, i) => convert(a, `${path}/anyOf/${i}`)) };
  if (Array.isArray(node.allOf)) {
    if (node.allOf.length !== 1) throw new UnsupportedSchemaError(`${path}: allOf with several schemas is not supported`);
    return { ...convert(node.allOf[0], `${path}/allOf/0`), ...out };
  }
  const type = node.type;
  if (type === "object") return { ...out, ...object(node, path) };
  if (type === "array") return { ...out, ...array(node, path) };
  if (type === "string") {
    const format = typeof node.format === "string" && STRING_FORMATS.has(node.format) ? { format: node.format } : {};
    const lengths = pick(node, ["minLength", "maxLength"]);
    return { ...out, type, ...format, ...lengths };
  }
  if (typeof type === "string" || Array.isArray(type)) return { ...out, type };
  throw new UnsupportedSchemaError(`${path}: no type, enum, const, anyOf or $ref`);
}

function object(node: Schema, path: string): Schema {
  const properties = isObject(node.properties) ? mapValues(node.properties, (v, k) => convert(v, `${path}/properties/${k}`)) : undefined;
  const extra = node.additionalProperties;
  const additionalProperties = isObject(extra) ? convert(extra, `${path}/additionalProperties`) : (extra ?? properties === undefined);
  return {
    type: "object",
    ...(properties ? { properties } : {}),
    additionalProperties,
    ...(Array.isArray(node.required) ? { required: node.required } : {}),
    ...pick(node, ["minProperties", "maxProperties"]),
  };
}

function array(node: Schema, path: string): Schema {
  return {
    type: "array",
    ...(node.items !== undefined ? { items: convert(node.items, `${path}/items`) } : {}),
    ...(Array.isArray(node.prefixItems) ? { prefixItems: node.prefixItems.map((p, i) => convert(p, `${path}/prefixItems/${i}`)) } : {}),
    ...pick(node, ["minItems", "maxItems"]),
  };
}

function isObject(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function mapValues(record: Schema, fn: (value: unknown, key: string) => Schema): Schema {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, fn(v, k)]));
}

function pick(node: Schema, keys: readonly string[]): Schema {
  return Object.fromEntries(keys.filter((k) => typeof node[k] === "number").map((k) => [k, node[k]]));
}
