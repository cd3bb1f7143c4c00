import { create } from "@bufbuild/protobuf";
import { NullValue, type Value as ValueMessage, ValueSchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@dspy-connect/client";
import { Comparison_Op, type Condition as ConditionMessage, ConditionSchema, type Operand, OperandSchema } from "@dspy-connect/core-proto";
import { FIELD_NAME, INDEX, LIMITS } from "../contract/limits.js";

// Conditions are data: the contract's Condition message (pipeline.proto), an expression
// tree the worker evaluates with its own safe evaluator (no eval). Each value carries, at
// the type level, the state fields it reads, so a branch on a field the pipeline does not
// hold fails to compile.

export type JsonScalar = string | number | boolean | null;
export type Literal = JsonScalar | readonly JsonScalar[];

/** A value in a condition: the contract's Operand message. */
export type ValueNode = Operand;
/** A boolean expression: the contract's Condition message. */
export type ConditionNode = ConditionMessage;

/** The state field a dotted reference starts from: "doc.title" reads "doc". */
export type RootOf<N extends string> = N extends `${infer R}.${string}` ? R : N;

type ComparisonName = "eq" | "ne" | "gt" | "gte" | "lt" | "lte" | "contains";

/** Checks a dotted field reference as the worker will: names and list indices only. */
export function checkRef(ref: string, where: string): string {
  const parts = typeof ref === "string" ? ref.split(".") : [];
  const ok =
    parts.length > 0 &&
    parts.length <= LIMITS.maxRefParts &&
    ref.length <= LIMITS.maxRefChars &&
    FIELD_NAME.test(parts[0]!) &&
    parts.every((p) => FIELD_NAME.test(p) || INDEX.test(p));
  if (!ok)
    throw new ConnectError(
      `${where}: ${JSON.stringify(ref)} is not a field reference (names and list indices, like "doc.pages.0")`,
      Code.InvalidArgument,
    );
  return ref;
}

function literal(value: Literal, nested = false): ValueMessage {
  if (value === null) return create(ValueSchema, { kind: { case: "nullValue", value: NullValue.NULL_VALUE } });
  if (typeof value === "boolean") return create(ValueSchema, { kind: { case: "boolValue", value } });
  if (typeof value === "number") {
    if (!Number.isFinite(value) || (Number.isInteger(value) && Math.abs(value) > LIMITS.maxAbsIntegerLiteral)) {
      throw new ConnectError(
        `condition literal ${value} is not a finite number within ±${LIMITS.maxAbsIntegerLiteral} (2^53 - 1)`,
        Code.InvalidArgument,
      );
    }
    return create(ValueSchema, { kind: { case: "numberValue", value } });
  }
  if (typeof value === "string") {
    if (value.length > LIMITS.maxStringLiteralChars)
      throw new ConnectError(`condition string literal longer than ${LIMITS.maxStringLiteralChars} characters`, Code.InvalidArgument);
    return create(ValueSchema, { kind: { case: "stringValue", value } });
  }
  if (Array.isArray(value) && !nested) {
    if (value.length > LIMITS.maxListLiteralItems)
      throw new ConnectError(`condition list literal longer than ${LIMITS.maxListLiteralItems} items`, Code.InvalidArgument);
    const values = value.map((v) => literal(v, true));
    return create(ValueSchema, { kind: { case: "listValue", value: { values } } });
  }
  throw new ConnectError("condition literals are null, booleans, finite numbers, strings or a flat list of them", Code.InvalidArgument);
}

type OperandOf<R extends string> = Value<R> | Literal;
type RefsOf<O> = O extends Value<infer R> ? R : never;

function operand(value: OperandOf<string>): ValueNode {
  return value instanceof Value ? value.node : create(OperandSchema, { kind: { case: "literal", value: literal(value) } });
}

/** A value in a condition: a state field, a literal, or the length of a value. */
export class Value<R extends string = never> {
  /** Phantom: the state fields this value reads. */
  declare readonly refs?: R;
  constructor(readonly node: ValueNode) {}

  eq<O extends OperandOf<string>>(other: O): Condition<R | RefsOf<O>> {
    return this.compare("eq", other);
  }
  ne<O extends OperandOf<string>>(other: O): Condition<R | RefsOf<O>> {
    return this.compare("ne", other);
  }
  gt<O extends OperandOf<string>>(other: O): Condition<R | RefsOf<O>> {
    return this.compare("gt", other);
  }
  gte<O extends OperandOf<string>>(other: O): Condition<R | RefsOf<O>> {
    return this.compare("gte", other);
  }
  lt<O extends OperandOf<string>>(other: O): Condition<R | RefsOf<O>> {
    return this.compare("lt", other);
  }
  lte<O extends OperandOf<string>>(other: O): Condition<R | RefsOf<O>> {
    return this.compare("lte", other);
  }
  /** Substring of a string, member of a list, or key of an object. */
  contains<O extends OperandOf<string>>(other: O): Condition<R | RefsOf<O>> {
    return this.compare("contains", other);
  }
  /** Set and not null (a step that failed under continue-on-error leaves null). */
  exists(): Condition<R> {
    return new Condition(create(ConditionSchema, { kind: { case: "exists", value: this.node } }));
  }

  private compare<O extends OperandOf<string>>(op: ComparisonName, other: O): Condition<R | RefsOf<O>> {
    const comparison = { op: COMPARISONS[op], left: this.node, right: operand(other) };
    return new Condition(create(ConditionSchema, { kind: { case: "compare", value: comparison } }));
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
  return new Value(create(OperandSchema, { kind: { case: "field", value: checkRef(name, "field") } }));
}

/** A literal value, when you want to put it on the left: `value(3).lt(len(field("items")))`. */
export function value(literalValue: Literal): Value {
  return new Value(create(OperandSchema, { kind: { case: "literal", value: literal(literalValue) } }));
}

/** The length of a string, list or object. */
export function len<R extends string>(of: Value<R>): Value<R> {
  return new Value(create(OperandSchema, { kind: { case: "length", value: of.node } }));
}

export function and<C extends readonly Condition<string>[]>(...conditions: C): Condition<RefsOfCondition<C[number]>> {
  if (conditions.length === 0) throw new ConnectError("and() needs at least one condition", Code.InvalidArgument);
  return new Condition(create(ConditionSchema, { kind: { case: "allOf", value: { conditions: conditions.map((c) => c.node) } } }));
}

export function or<C extends readonly Condition<string>[]>(...conditions: C): Condition<RefsOfCondition<C[number]>> {
  if (conditions.length === 0) throw new ConnectError("or() needs at least one condition", Code.InvalidArgument);
  return new Condition(create(ConditionSchema, { kind: { case: "anyOf", value: { conditions: conditions.map((c) => c.node) } } }));
}

export function not<R extends string>(condition: Condition<R>): Condition<R> {
  return new Condition(create(ConditionSchema, { kind: { case: "negate", value: condition.node } }));
}

/** The root fields a condition reads (checked against the pipeline when it is built). */
export function conditionRefs(node: ConditionNode | ValueNode): string[] {
  const out = new Set<string>();
  const stack: (ConditionNode | ValueNode)[] = [node];
  for (let n = stack.pop(); n !== undefined; n = stack.pop()) {
    const kind = n.kind;
    if (kind.case === "field") out.add(kind.value.split(".")[0]!);
    else if (kind.case === "compare") stack.push(...[kind.value.left, kind.value.right].filter((o) => o !== undefined));
    else if (kind.case === "allOf" || kind.case === "anyOf") stack.push(...kind.value.conditions);
    else if (kind.case === "negate" || kind.case === "exists" || kind.case === "length") stack.push(kind.value);
  }
  return [...out];
}

/**
 * Checks a condition against the contract's depth and node bounds, counted as the worker
 * counts them (each condition and operand is a node one level below its parent).
 */
export function checkConditionSize(node: ConditionNode, where: string): void {
  let nodes = 0;
  const stack: [ConditionNode | ValueNode, number][] = [[node, 1]];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [n, depth] = top;
    if (depth > LIMITS.maxConditionDepth)
      throw new ConnectError(`${where}: the condition is nested deeper than ${LIMITS.maxConditionDepth} levels`, Code.InvalidArgument);
    if (++nodes > LIMITS.maxConditionNodes)
      throw new ConnectError(`${where}: the condition has more than ${LIMITS.maxConditionNodes} nodes`, Code.InvalidArgument);
    const kind = n.kind;
    if (kind.case === "compare") for (const o of [kind.value.left, kind.value.right]) if (o) stack.push([o, depth + 1]);
    if (kind.case === "allOf" || kind.case === "anyOf") for (const c of kind.value.conditions) stack.push([c, depth + 1]);
    if (kind.case === "negate" || kind.case === "exists" || kind.case === "length") stack.push([kind.value, depth + 1]);
  }
}

const COMPARISONS: Readonly<Record<ComparisonName, Comparison_Op>> = {
  eq: Comparison_Op.EQ,
  ne: Comparison_Op.NE,
  gt: Comparison_Op.GT,
  gte: Comparison_Op.GTE,
  lt: Comparison_Op.LT,
  lte: Comparison_Op.LTE,
  contains: Comparison_Op.CONTAINS,
};
