// Type-level parser for DSPy signature strings such as
// "question: str, context: list[str] -> answer: int".
//
// Every recursive helper here is tail-recursive (the recursive call is the whole
// branch result), so TypeScript can iterate up to 1000 times instead of hitting
// its ~50-level limit for nested instantiation. SplitTop walks one character per
// step, so each side of the arrow may be up to roughly 1000 characters.

type Whitespace = " " | "\n" | "\t" | "\r";

type Trim<S extends string> = S extends `${Whitespace}${infer R}` ? Trim<R> : S extends `${infer L}${Whitespace}` ? Trim<L> : S;

type Pop<D extends unknown[]> = D extends [unknown, ...infer R] ? R : [];

// Splits S on Sep, but only at bracket depth 0 and outside quotes, so
// "a: dict[str, int], b" splits into two fields and Literal['x, y'] stays whole.
// Depth is a tuple whose length is the bracket depth.
type SplitTop<
  S extends string,
  Sep extends string,
  Depth extends unknown[] = [],
  Quote extends string = "",
  Cur extends string = "",
  Out extends string[] = [],
> = S extends `${infer C}${infer Rest}`
  ? Quote extends ""
    ? C extends Sep
      ? Depth extends []
        ? SplitTop<Rest, Sep, [], "", "", [...Out, Cur]>
        : SplitTop<Rest, Sep, Depth, "", `${Cur}${C}`, Out>
      : SplitTop<
          Rest,
          Sep,
          C extends "[" ? [...Depth, C] : C extends "]" ? Pop<Depth> : Depth,
          C extends "'" | '"' ? C : "",
          `${Cur}${C}`,
          Out
        >
    : SplitTop<Rest, Sep, Depth, C extends Quote ? "" : Quote, `${Cur}${C}`, Out>
  : [...Out, Cur];

// Top-level comma-separated parts, trimmed, as a union.
type Parts<S extends string> = Trim<SplitTop<S, ",">[number]>;

// Distributes PyTypeToTs over a union of type strings.
type MapEach<T extends string> = T extends string ? PyTypeToTs<T> : never;

type LiteralValue<V extends string> = V extends `'${infer Str}'`
  ? Str
  : V extends `"${infer Str}"`
    ? Str
    : V extends "True"
      ? true
      : V extends "False"
        ? false
        : V extends "None"
          ? null
          : V extends `${infer N extends number}`
            ? N
            : unknown; // e.g. an enum member: we cannot know its value

/**
 * Types a worker's plugins register (`register_type("Invoice", Invoice)` in Python),
 * declared here so signatures may name them:
 *
 *     declare module "@dspy-connect/client" {
 *       interface SignatureTypes { Invoice: { total: number; lines: string[] } }
 *     }
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled in by declaration merging.
export interface SignatureTypes {}

// One non-union Python type (already trimmed).
type MapOne<T extends string> = T extends keyof SignatureTypes
  ? SignatureTypes[T]
  : T extends "str"
    ? string
    : T extends "int" | "float"
      ? number
      : T extends "bool"
        ? boolean
        : T extends "None"
          ? null
          : T extends "Any"
            ? unknown
            : T extends "list" | "List"
              ? unknown[]
              : T extends "dict" | "Dict"
                ? Record<string, unknown>
                : T extends `${"list" | "List"}[${infer X}]`
                  ? PyTypeToTs<X>[]
                  : // JSON carries tuples as arrays; `tuple[int, ...]` drops the ellipsis.
                    T extends `${"tuple" | "Tuple"}[${infer X}]`
                    ? MapEach<Exclude<Parts<X>, "...">>[]
                    : T extends `${"dict" | "Dict"}[${infer KV}]`
                      ? SplitTop<KV, ","> extends [string, infer V extends string]
                        ? Record<string, PyTypeToTs<V>> // JSON object keys are always strings
                        : Record<string, unknown>
                      : T extends `Optional[${infer X}]`
                        ? PyTypeToTs<X> | null
                        : T extends `Union[${infer X}]`
                          ? MapEach<Parts<X>>
                          : T extends `Literal[${infer X}]`
                            ? LiteralValue<Parts<X>>
                            : unknown;

/** Maps a Python type annotation (as written in a DSPy signature) to a TS type. */
export type PyTypeToTs<T extends string> = string extends T
  ? unknown
  : // Split `X | None` style unions at depth 0; MapOne distributes over the parts.
    MapOne<Trim<SplitTop<T, "|">[number]>>;

type FieldName<F extends string> = F extends `${infer N}:${string}` ? Trim<N> : F;
// A field without an annotation is `str` in DSPy.
type FieldType<F extends string> = F extends `${string}:${infer T}` ? T : "str";

// Empty parts (e.g. "-> answer" or a trailing comma) are dropped by mapping them to never.
type FieldMap<S extends string> = {
  [F in Parts<S> as F extends "" ? never : FieldName<F>]: PyTypeToTs<FieldType<F>>;
};
// Re-mapping through `infer` makes editors show `{ answer: number }` instead of `FieldMap<...>`.
type Fields<S extends string> = FieldMap<S> extends infer O ? { [K in keyof O]: O[K] } : never;

type WideSignature = { inputs: Record<string, unknown>; outputs: Record<string, unknown> };

// Names the worker resolves in a type annotation (dspy_connect/signature.py), Literal's
// True/False/None included.
type KnownTypeName =
  | "str"
  | "int"
  | "float"
  | "bool"
  | "Any"
  | "None"
  | "NoneType"
  | "list"
  | "List"
  | "dict"
  | "Dict"
  | "tuple"
  | "Tuple"
  | "set"
  | "Set"
  | "Optional"
  | "Union"
  | "Literal"
  | "True"
  | "False"
  | (keyof SignatureTypes & string);

type Digit = "0" | "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9";
type Lower =
  | "a"
  | "b"
  | "c"
  | "d"
  | "e"
  | "f"
  | "g"
  | "h"
  | "i"
  | "j"
  | "k"
  | "l"
  | "m"
  | "n"
  | "o"
  | "p"
  | "q"
  | "r"
  | "s"
  | "t"
  | "u"
  | "v"
  | "w"
  | "x"
  | "y"
  | "z";
type NameChar = Lower | Uppercase<Lower> | Digit | "_";

// The identifiers in a type annotation, outside quoted strings (one character per step).
type Names<
  T extends string,
  Quote extends string = "",
  Cur extends string = "",
  Out extends string = never,
> = T extends `${infer C}${infer Rest}`
  ? Quote extends ""
    ? C extends "'" | '"'
      ? Names<Rest, C, "", Out | Cur>
      : C extends NameChar
        ? Names<Rest, "", `${Cur}${C}`, Out>
        : Names<Rest, "", "", Out | Cur>
    : Names<Rest, C extends Quote ? "" : Quote, "", Out>
  : Out | Cur;

// Names in a side's annotations the worker would reject (numbers are Literal values).
type UnknownNames<Side extends string> = Exclude<Names<FieldType<Exclude<Parts<Side>, "">>>, "" | KnownTypeName | `${Digit}${string}`>;

/**
 * What a signature with a type the worker does not know parses to: passing inputs to it
 * fails to compile, and the message names the type. The worker would reject it at run
 * time (InvalidArgument).
 */
export interface SignatureTypeError<Message extends string> {
  readonly signatureTypeError: Message;
}

type Checked<I extends string, O extends string> = [UnknownNames<I> | UnknownNames<O>] extends [never]
  ? { inputs: Fields<I>; outputs: Fields<O> }
  : {
      inputs: SignatureTypeError<`unknown type "${UnknownNames<I> | UnknownNames<O>}": use str, int, float, bool, Any, list[...], dict[...], tuple[...], Optional[...], Union[...], Literal[...], or declare it in SignatureTypes`>;
      outputs: SignatureTypeError<`unknown type "${UnknownNames<I> | UnknownNames<O>}"`>;
    };

/**
 * Parses a DSPy signature string into its input and output field types.
 * A wide `string` yields open records so non-literal signatures still type-check;
 * a literal without exactly one `->` is invalid and yields never; one naming a type the
 * worker does not know (`answer: integer`) yields SignatureTypeError.
 */
export type ParseSignature<S extends string> = string extends S
  ? WideSignature
  : S extends `${infer I}->${infer O}`
    ? O extends `${string}->${string}`
      ? never
      : Checked<I, O>
    : never;

export type SignatureInputs<S extends string> = ParseSignature<S>["inputs"];
export type SignatureOutputs<S extends string> = ParseSignature<S>["outputs"];

/** Outputs of dspy.ChainOfThought, which prepends a `reasoning` field. */
export type WithReasoning<O> = { reasoning: string } & O;
