import { Code, ConnectError } from "@dspy-connect/client";

// Conditions are data: a small JSON expression tree the worker evaluates with its own safe
// evaluator (no eval). Each value carries, at the type level, the state fields it reads,
// so a branch on a field the pipeline does not hold fails to compile.

export type JsonScalar = string | number | boolean | null;
export type Literal = JsonScalar | readonly JsonScalar[];

export type ValueNode = { readonly field: string } | { readonly value: Literal } | { readonly op: "len"; readonly arg: ValueNode };
export type ConditionNode =
  | { readonly op: "eq" | "ne" | "gt" | "gte" | "lt" | "lte" | "contains"; readonly left: ValueNode; readonly right: ValueNode }
  | { readonly op: "and" | "or"; readonly args: readonly ConditionNode[] }
  | { readonly op: "not"; readonly arg: ConditionNode }
  | { readonly op: "exists"; readonly arg: ValueNode };

/** The state field a dotted reference starts from: "doc.title" reads "doc". */
export type RootOf<N extends string> = N extends `${infer R}.${string}` ? R : N;

const NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const INDEX = /^\d{1,6}$/;
const MAX_STRING = 10_000;
const MAX_LIST = 100;

/** Checks a dotted field reference as the worker will: names and list indices only. */
export function checkRef(ref: string, where: string): string {
  const parts = typeof ref === "string" ? ref.split(".") : [];
  const ok =
    parts.length > 0 &&
    parts.length <= 16 &&
    ref.length <= 256 &&
    NAME.test(parts[0]!) &&
    parts.every((p) => NAME.test(p) || INDEX.test(p));
  if (!ok)
    throw new ConnectError(
      `${where}: ${JSON.stringify(ref)} is not a field reference (names and list indices, like "doc.pages.0")`,
      Code.InvalidArgument,
    );
  return ref;
}

function literal(value: Literal, nested = false): Literal {
  if (value === null || typeof value === "boolean") return value;
  if (typeof value === "number") {
    if (!Number.isFinite(value) || (Number.isInteger(value) && !Number.isSafeInteger(value))) {
      throw new ConnectError(`condition literal ${value} is not a finite number within ±2^53`, Code.InvalidArgument);
    }
    return value;
  }
  if (typeof value === "string") {
    if (value.length > MAX_STRING)
      throw new ConnectError(`condition string literal longer than ${MAX_STRING} characters`, Code.InvalidArgument);
    return value;
  }
  if (Array.isArray(value) && !nested) {
    if (value.length > MAX_LIST) throw new ConnectError(`condition list literal longer than ${MAX_LIST} items`, Code.InvalidArgument);
    return value.map((v) => literal(v, true) as JsonScalar);
  }
  throw new ConnectError("condition literals are null, booleans, finite numbers, strings or a flat list of them", Code.InvalidArgument);
}

type Operand<R extends string> = Value<R> | Literal;
type RefsOf<O> = O extends Value<infer R> ? R : never;

function operand(value: Operand<string>): ValueNode {
  return value instanceof Value ? value.node : { value: literal(value) };
}

/** A value in a condition: a state field, a literal, or the length of a value. */
export class Value<R extends string = never> {
  /** Phantom: the state fields this value reads. */
  declare readonly refs?: R;
  constructor(readonly node: ValueNode) {}

  eq<O extends Operand<string>>(other: O): Condition<R | RefsOf<O>> {
    return this.compare("eq", other);
  }
  ne<O extends Operand<string>>(other: O): Condition<R | RefsOf<O>> {
    return this.compare("ne", other);
  }
  gt<O extends Operand<string>>(other: O): Condition<R | RefsOf<O>> {
    return this.compare("gt", other);
  }
  gte<O extends Operand<string>>(other: O): Condition<R | RefsOf<O>> {
    return this.compare("gte", other);
  }
  lt<O extends Operand<string>>(other: O): Condition<R | RefsOf<O>> {
    return this.compare("lt", other);
  }
  lte<O extends Operand<string>>(other: O): Condition<R | RefsOf<O>> {
    return this.compare("lte", other);
  }
  /** Substring of a string, member of a list, or key of an object. */
  contains<O extends Operand<string>>(other: O): Condition<R | RefsOf<O>> {
    return this.compare("contains", other);
  }
  /** Set and not null (a step that failed under continue-on-error leaves null). */
  exists(): Condition<R> {
    return new Condition({ op: "exists", arg: this.node });
  }

  private compare<O extends Operand<string>>(
    op: "eq" | "ne" | "gt" | "gte" | "lt" | "lte" | "contains",
    other: O,
  ): Condition<R | RefsOf<O>> {
    return new Condition({ op, left: this.node, right: operand(other) });
  }
}

/** A boolean expression over the pipeline's state. */
export class Condition<R extends string = never> {
  declare readonly refs?: R;
  constructor(readonly node: ConditionNode) {}

  and<C extends Condition<string>>(other: C): Condition<R | RefsOfCondition<C>> {
    return and(this, other);
  }
  or<C extends Condition<string>>(other: C): Condition<R | RefsOfCondition<C>> {
    return or(this, other);
  }
}

type RefsOfCondition<C> = C extends Condition<infer R> ? R : never;

/** A state field: `field("answer")`, `field("doc.title")`, `field("items.0")`. */
export function field<N extends string>(name: N): Value<RootOf<N>> {
  return new Value({ field: checkRef(name, "field") });
}

/** A literal value, when you want to put it on the left: `value(3).lt(len(field("items")))`. */
export function value(literalValue: Literal): Value {
  return new Value({ value: literal(literalValue) });
}

/** The length of a string, list or object. */
export function len<R extends string>(of: Value<R>): Value<R> {
  return new Value({ op: "len", arg: of.node });
}

export function and<C extends readonly Condition<string>[]>(...conditions: C): Condition<RefsOfCondition<C[number]>> {
  if (conditions.length === 0) throw new ConnectError("and() needs at least one condition", Code.InvalidArgument);
  return new Condition({ op: "and", args: conditions.map((c) => c.node) });
}

export function or<C extends readonly Condition<string>[]>(...conditions: C): Condition<RefsOfCondition<C[number]>> {
  if (conditions.length === 0) throw new ConnectError("or() needs at least one condition", Code.InvalidArgument);
  return new Condition({ op: "or", args: conditions.map((c) => c.node) });
}

export function not<R extends string>(condition: Condition<R>): Condition<R> {
  return new Condition({ op: "not", arg: condition.node });
}

/** The root fields a condition reads (checked against the pipeline when it is built). */
export function conditionRefs(node: ConditionNode | ValueNode): string[] {
  const out = new Set<string>();
  const stack: unknown[] = [node];
  while (stack.length) {
    const n = stack.pop() as Record<string, unknown>;
    if (typeof n.field === "string") out.add(n.field.split(".")[0]!);
    for (const key of ["left", "right", "arg"]) if (n[key] && typeof n[key] === "object") stack.push(n[key]);
    if (Array.isArray(n.args)) stack.push(...n.args);
  }
  return [...out];
}
