import type { StandardJSONSchemaV1, StandardSchemaV1 } from "@standard-schema/spec";
import { Ajv, type ValidateFunction } from "ajv";

/** A JSON Schema object, as `dspy.Tool(args=...)` and the model see it. */
export type JsonSchema = Readonly<Record<string, unknown>>;

/**
 * A tool's input: a Standard Schema that also converts itself to JSON Schema (zod ≥ 4.2,
 * ArkType, Valibot with its adapter), or a plain JSON Schema object.
 */
export type ToolInput = (StandardSchemaV1 & StandardJSONSchemaV1) | JsonSchema;

/** The arguments `execute` receives: the schema's output type, or a JSON object. */
export type ToolArgs<I> = I extends StandardSchemaV1 ? StandardSchemaV1.InferOutput<I> : Record<string, unknown>;

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; message: string };

/** What a tool needs of its input schema: the JSON Schema to publish and a validator. */
export interface ToolSchema<T> {
  readonly jsonSchema: JsonSchema;
  validate(value: unknown): Promise<ValidationResult<T>>;
}

const ajv = new Ajv({ allErrors: true, strict: false });

export function toolSchema<I extends ToolInput>(name: string, input: I): ToolSchema<ToolArgs<I>> {
  const standard = (input as Partial<StandardSchemaV1>)["~standard"];
  const schema = standard
    ? fromStandard(name, input as StandardSchemaV1 & StandardJSONSchemaV1)
    : fromJsonSchema(name, input as JsonSchema);
  const type = schema.jsonSchema.type;
  const properties = schema.jsonSchema.properties;
  if (type !== "object" || typeof properties !== "object" || properties === null) {
    throw new TypeError(`tool ${name}: its input must describe an object (got JSON Schema type ${JSON.stringify(type)})`);
  }
  return schema as ToolSchema<ToolArgs<I>>;
}

function fromStandard(name: string, schema: StandardSchemaV1 & StandardJSONSchemaV1): ToolSchema<unknown> {
  const converter = schema["~standard"].jsonSchema;
  if (!converter) {
    throw new TypeError(
      `tool ${name}: this ${schema["~standard"].vendor} schema cannot convert itself to JSON Schema; pass a JSON Schema instead`,
    );
  }
  // draft-07: what the worker's validator (jsonschema) and most models know best.
  const { $schema: _, ...jsonSchema } = converter.input({ target: "draft-07" });
  return {
    jsonSchema,
    async validate(value) {
      const result = await schema["~standard"].validate(value);
      if (!result.issues) return { ok: true, value: result.value };
      return { ok: false, message: result.issues.map(formatIssue).join("; ") };
    },
  };
}

function fromJsonSchema(name: string, schema: JsonSchema): ToolSchema<unknown> {
  let check: ValidateFunction;
  try {
    check = ajv.compile(schema);
  } catch (error) {
    throw new TypeError(`tool ${name}: invalid JSON Schema: ${(error as Error).message}`);
  }
  const { $schema: _, ...jsonSchema } = schema;
  return {
    jsonSchema,
    async validate(value) {
      if (check(value)) return { ok: true, value };
      return { ok: false, message: ajv.errorsText(check.errors, { dataVar: "args" }) };
    },
  };
}

function formatIssue(issue: StandardSchemaV1.Issue): string {
  const path = (issue.path ?? []).map((p) => String(typeof p === "object" ? p.key : p)).join(".");
  return path ? `${path}: ${issue.message}` : issue.message;
}
