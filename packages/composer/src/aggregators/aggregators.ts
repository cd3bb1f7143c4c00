import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@dspy-connect/client";
import { type Aggregator as AggregatorMessage, AggregatorSchema, BestAggregator_Order } from "@dspy-connect/core-proto";
import { checkRef } from "../conditions/conditions.js";
import { LIMITS } from "../contract/limits.js";

// How a parallel step combines its branches' outputs: the contract's Aggregator message.
// Data, not code: the worker applies them. The type parameter describes what the
// aggregator writes, so the pipeline's state type follows.

/** The contract's Aggregator message. */
export type AggregatorSpec = AggregatorMessage;

/** What an aggregator writes, for the pipeline's types. */
export interface AggregatorTag {
  readonly kind: "list" | "join" | "value" | "maybe" | "merge-field" | "merge-all" | "best-all";
  readonly field: string;
  readonly into: string;
}

export interface Aggregator<T extends AggregatorTag = AggregatorTag> {
  readonly spec: AggregatorSpec;
  /** Phantom: what it writes. */
  readonly tag?: T;
}

function name(value: string, where: string): string {
  if (value.includes("."))
    throw new ConnectError(`${where}: ${JSON.stringify(value)} must be a field name, not a path`, Code.InvalidArgument);
  return checkRef(value, where);
}

/** Every branch's `field` in one list (lists are flattened); with `separator`, one joined string. */
export function concat<const F extends string, const I extends string = F>(
  field: F,
  options?: { readonly into?: I; readonly separator?: undefined },
): Aggregator<{ kind: "list"; field: F; into: I }>;
export function concat<const F extends string, const I extends string = F>(
  field: F,
  options: { readonly into?: I; readonly separator: string },
): Aggregator<{ kind: "join"; field: F; into: I }>;
export function concat(field: string, options: { into?: string; separator?: string | undefined } = {}): Aggregator {
  const separator = options.separator;
  if (separator !== undefined && separator.length > LIMITS.maxSeparatorChars) {
    throw new ConnectError(`concat: the separator is longer than ${LIMITS.maxSeparatorChars} characters`, Code.InvalidArgument);
  }
  const value = { field: name(field, "concat"), into: name(options.into ?? field, "concat"), separator };
  return { spec: create(AggregatorSchema, { kind: { case: "concat", value } }) };
}

/** The value most branches gave for `field` (ties: the earliest branch's). */
export function majorityVote<const F extends string, const I extends string = F>(
  field: F,
  options: { readonly into?: I } = {},
): Aggregator<{ kind: "value"; field: F; into: I }> {
  const value = { field: name(field, "majorityVote"), into: name(options.into ?? field, "majorityVote") };
  return { spec: create(AggregatorSchema, { kind: { case: "majority", value } }) };
}

/** The first branch's (in branch order) non-empty `field`: not null, "", [] or {}. */
export function firstNonEmpty<const F extends string, const I extends string = F>(
  field: F,
  options: { readonly into?: I } = {},
): Aggregator<{ kind: "maybe"; field: F; into: I }> {
  const value = { field: name(field, "firstNonEmpty"), into: name(options.into ?? field, "firstNonEmpty") };
  return { spec: create(AggregatorSchema, { kind: { case: "first", value } }) };
}

/** Merges the objects in every branch's `field` (later branches win); with no field, every branch's outputs. */
export function mergeObjects(): Aggregator<{ kind: "merge-all"; field: ""; into: "" }>;
export function mergeObjects<const F extends string, const I extends string = F>(
  field: F,
  options?: { readonly into?: I },
): Aggregator<{ kind: "merge-field"; field: F; into: I }>;
export function mergeObjects(field?: string, options: { into?: string } = {}): Aggregator {
  const value = field === undefined ? {} : { field: name(field, "mergeObjects"), into: name(options.into ?? field, "mergeObjects") };
  return { spec: create(AggregatorSchema, { kind: { case: "merge", value } }) };
}

/** The branch with the highest (or, with order "min", lowest) numeric `by`: its `field`, or all its outputs. */
export function bestBy<const B extends string>(
  by: B,
  options?: { readonly order?: "max" | "min" },
): Aggregator<{ kind: "best-all"; field: B; into: "" }>;
export function bestBy<const B extends string, const F extends string, const I extends string = F>(
  by: B,
  options: { readonly field: F; readonly into?: I; readonly order?: "max" | "min" },
): Aggregator<{ kind: "maybe"; field: F; into: I }>;
export function bestBy(by: string, options: { field?: string; into?: string; order?: "max" | "min" } = {}): Aggregator {
  const field = options.field !== undefined ? name(options.field, "bestBy") : undefined;
  const value = {
    by: name(by, "bestBy"),
    ...(field !== undefined && { field, into: name(options.into ?? field, "bestBy") }),
    order: options.order === undefined ? BestAggregator_Order.UNSPECIFIED : ORDERS[options.order],
  };
  return { spec: create(AggregatorSchema, { kind: { case: "best", value } }) };
}

const ORDERS = { max: BestAggregator_Order.MAX, min: BestAggregator_Order.MIN } as const;

/** What an aggregator reads from the branches, and the field it writes ("" for the chosen branch's outputs). */
export function aggregatorFields(spec: AggregatorSpec): { readonly reads: readonly string[]; readonly into: string } {
  const kind = spec.kind;
  if (kind.case === undefined) return { reads: [], into: "" };
  const reads = [kind.value.field, ...(kind.case === "best" ? [kind.value.by] : [])].filter((f) => f !== "");
  return { reads, into: kind.value.into };
}
