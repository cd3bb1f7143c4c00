import type { SignatureInputs, SignatureOutputs } from "@dspy-connect/client";
import type { AggregatorTag } from "../aggregators/aggregators.js";

// Build-time typing of a pipeline: `In` is what a run must be given (every field a step
// reads that no earlier step writes), `Out` what the steps write. A step whose inputs meet
// a field of a different type in the state does not produce a pipeline but a
// PipelineTypeError, so the next call on it fails to compile, naming the field.

export type Fields = Record<string, unknown>;
export type Simplify<T> = { [K in keyof T]: T[K] } & {};
/** B's fields replace A's. */
export type Merge<A, B> = Simplify<Omit<A, keyof B> & B>;
export type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

/** What a pipeline holds at a point: its inputs, then what its steps wrote. */
export type StateOf<In, Out> = Merge<In, Out>;

/** The fields a value of this type is assignable to in TS terms, for the mismatch check. */
export interface PipelineTypeError<Message extends string> {
  readonly pipelineTypeError: Message;
}

type Source<K, M> = K extends keyof M ? (M[K] extends string ? M[K] : K) : K;
type RootName<N> = N extends `${infer R}.${string}` ? R : N;

/** A step's reads, keyed by the state field they come from, with the type the step needs. */
export type Reads<SIn, M> = {
  [K in keyof SIn & string as RootName<Source<K, M>> & string]: Source<K, M> extends `${string}.${string}` ? unknown : SIn[K];
};

/** Reads the state does not hold: they become pipeline inputs. */
export type NewInputs<R, State> = { [K in keyof R as K extends keyof State ? never : K]: R[K] };

/** State fields whose type the step cannot take. */
export type Mismatch<R, State> = {
  [K in keyof R & keyof State]: State[K] extends R[K] ? never : K;
}[keyof R & keyof State];

/** Output fields renamed by a step's `outputs` mapping. */
export type Renamed<O, OM> = { [K in keyof O as K extends keyof OM ? (OM[K] extends string ? OM[K] : K) : K]: O[K] };

export type InputMap<S extends string> = { readonly [K in keyof SignatureInputs<S>]?: string };
export type OutputMap<O> = { readonly [K in keyof O]?: string };

/** The outputs a module kind writes beyond its signature's. */
export type KindOutputs<Kind, S extends string> = Kind extends "chain_of_thought"
  ? { reasoning: string } & SignatureOutputs<S>
  : Kind extends "react"
    ? SignatureOutputs<S> & { trajectory: Record<string, unknown> }
    : SignatureOutputs<S>;

/** Element type of a list field. */
export type ElementOf<T> = T extends readonly (infer E)[] ? E : unknown;

type ValueOf<B, F extends string> = B extends unknown ? (F extends keyof B ? B[F] : never) : never;
/** Only what every member of a union holds. */
export type Common<B> = Pick<B, keyof B>;

/** What an aggregator writes into the state, given the union of its branches' outputs. */
export type AggregateOutput<T extends AggregatorTag, B> = T["kind"] extends "list"
  ? {
      [K in T["into"]]: ElementOf<ValueOf<B, T["field"]>> extends never
        ? unknown[]
        : (ValueOf<B, T["field"]> extends readonly (infer E)[] ? E : ValueOf<B, T["field"]>)[];
    }
  : T["kind"] extends "join"
    ? { [K in T["into"]]: string }
    : T["kind"] extends "value"
      ? { [K in T["into"]]: ValueOf<B, T["field"]> }
      : T["kind"] extends "maybe"
        ? { [K in T["into"]]: ValueOf<B, T["field"]> | null }
        : T["kind"] extends "merge-field"
          ? { [K in T["into"]]: Record<string, unknown> }
          : T["kind"] extends "merge-all"
            ? Partial<UnionToIntersection<B>>
            : Common<B>;
