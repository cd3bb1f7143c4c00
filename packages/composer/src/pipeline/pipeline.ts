import { createHash } from "node:crypto";
import { create, type MessageInitShape, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError, isRunTool, type SignatureInputs, toModuleSpec } from "@dspy-connect/client";
import {
  ErrorPolicy_Mode,
  type ErrorPolicy as ErrorPolicyMessage,
  ErrorPolicySchema,
  type PipelineDefinition,
  PipelineDefinitionSchema,
  type PipelineStep,
  PipelineStepSchema,
} from "@dspy-connect/core-proto";
import type { RunStream, ToolRef } from "@dspy-connect/streaming";
import { type Aggregator, type AggregatorTag, aggregatorFields } from "../aggregators/aggregators.js";
import { type Condition, checkConditionSize, conditionRefs } from "../conditions/conditions.js";
import { LIMITS, STEP_NAME } from "../contract/limits.js";
import { type PipelineRunOptions, type PipelineTarget, runPipeline } from "../run/run-pipeline.js";
import { compatible, elementType, parseFields, parseSignature } from "../signature/fields.js";
import type {
  AggregateOutput,
  ElementOf,
  Fields,
  InputMap,
  KindOutputs,
  Merge,
  Mismatch,
  NewInputs,
  OutputMap,
  PipelineTypeError,
  Reads,
  Renamed,
  StateOf,
  UnionToIntersection,
} from "./types.js";

/** What a step does when it fails. Fail-fast (the default) ends the pipeline. */
export type ErrorPolicy = "fail-fast" | "continue" | { readonly retry: number };

export interface StepOptions {
  /** The step's name in event paths; default `<kind>_<index>`. Letters, digits, `_`, `-`, `.`. */
  readonly name?: string;
  /**
   * fail-fast: the pipeline ends with this step's error. continue: its outputs become
   * null and the pipeline goes on (for parallel and map: failed branches or items are left
   * out or null). `{ retry: n }`: up to n more attempts, then fail.
   */
  readonly onError?: ErrorPolicy;
}

export interface ModuleStepOptions<M, OM> extends StepOptions {
  /** Where input fields come from when the names differ: `{ text: "summary" }` or `{ title: "doc.title" }`. */
  readonly inputs?: M;
  /** Output fields renamed as they enter the state: `{ answer: "draft" }`. */
  readonly outputs?: OM;
  readonly instructions?: string;
  /** Module keyword arguments. */
  readonly config?: Readonly<Record<string, unknown>>;
  /** Saved module state (for example an optimizer's result). */
  readonly state?: unknown;
}

export interface ReactStepOptions<M, OM> extends ModuleStepOptions<M, OM> {
  /** Python tools by name (the worker's allowlist) and TypeScript tools (`defineTool`). */
  readonly tools: readonly ToolRef[];
  readonly maxIters?: number;
}

export interface MapOptions<As extends string, Into extends string, Sel extends string> extends StepOptions {
  /** The name each item has in the sub-pipeline. Default "item". */
  readonly as?: As;
  /** Where the list of results goes. Default "results". */
  readonly into?: Into;
  /** Keep only this output of each item's run (else each item's whole output object). */
  readonly select?: Sel;
  /** Items in flight at once, 1..16. Default 4. */
  readonly concurrency?: number;
}

/** Any pipeline, whatever its fields. */
// biome-ignore lint/suspicious/noExplicitAny: Pipeline is invariant in both parameters, so no narrower type admits every pipeline.
export type AnyPipeline = Pipeline<any, any>;
// Read through the phantom: Pipeline is invariant in both, so `Pipeline<infer I, Fields>` would not match.
type InOf<P> = P extends { readonly types?: { readonly in: infer I } } ? I : never;
type OutOf<P> = P extends { readonly types?: { readonly out: infer O } } ? O : never;
/** What a run of pipeline P must be given. */
export type PipelineInputs<P> = InOf<P>;
/** What a run of pipeline P ends with: its inputs and every field its steps wrote. */
export type PipelineResult<P> = StateOf<InOf<P>, OutOf<P>>;

/** The next pipeline, or a type error naming the fields that do not fit. */
type Next<R, State, In, Out, Written> = [Mismatch<R, State>] extends [never]
  ? Pipeline<Merge<In, NewInputs<R, State>>, Merge<Out, Written>>
  : PipelineTypeError<`field "${Mismatch<R, State> & string}": the pipeline holds a type there that the step does not take`>;

type ModuleNext<Kind, S extends string, M, OM, In extends Fields, Out extends Fields> = Next<
  Reads<SignatureInputs<S>, M>,
  StateOf<In, Out>,
  In,
  Out,
  Renamed<KindOutputs<Kind, S>, OM>
>;

/** What a pipeline is sent as: the contract's PipelineDefinition message (pipeline.proto). */
export type { PipelineDefinition };
/** One step of a definition: the contract's PipelineStep message. */
export type StepSpec = PipelineStep;
type StepKind = MessageInitShape<typeof PipelineStepSchema>["kind"];

interface Shape {
  readonly name: string;
  readonly inputs: ReadonlyMap<string, string>;
  readonly writes: ReadonlyMap<string, string>;
  readonly steps: readonly StepSpec[];
  readonly tools: readonly ToolRef[];
}

function fail(message: string): never {
  throw new ConnectError(message, Code.InvalidArgument);
}

/**
 * A DSPy pipeline built in TypeScript and run in one call inside a worker. Immutable:
 * each method returns a new pipeline, so one may be reused as a branch of many others.
 * Each step's outputs join the pipeline's state; a step reads its inputs from the state
 * by name, or through `inputs` where names differ. Reads that no earlier step writes are
 * the pipeline's inputs. Mismatched types are caught here (and in the types, where the
 * signatures are literals), and again in the worker.
 */
export class Pipeline<In extends Fields = {}, Out extends Fields = {}> {
  /** Phantom: the run's inputs and the steps' outputs. */
  declare readonly types?: { readonly in: In; readonly out: Out };
  private cached: { definition: PipelineDefinition; id: string } | undefined;

  /** @internal */
  constructor(private readonly shape: Shape) {}

  get name(): string {
    return this.shape.name;
  }

  /** dspy.Predict. */
  predict<const S extends string, const M extends InputMap<S> = {}, const OM extends OutputMap<KindOutputs<"predict", S>> = {}>(
    signature: S,
    options: ModuleStepOptions<M, OM> = {},
  ): ModuleNext<"predict", S, M, OM, In, Out> {
    return this.moduleStep("predict", signature, options) as never;
  }

  /** dspy.ChainOfThought: adds `reasoning` to the state. */
  chainOfThought<
    const S extends string,
    const M extends InputMap<S> = {},
    const OM extends OutputMap<KindOutputs<"chain_of_thought", S>> = {},
  >(signature: S, options: ModuleStepOptions<M, OM> = {}): ModuleNext<"chain_of_thought", S, M, OM, In, Out> {
    return this.moduleStep("chain_of_thought", signature, options) as never;
  }

  /** dspy.ReAct with Python and TypeScript tools: adds `trajectory`; thought/tool events carry the step's path. */
  react<const S extends string, const M extends InputMap<S> = {}, const OM extends OutputMap<KindOutputs<"react", S>> = {}>(
    signature: S,
    options: ReactStepOptions<M, OM>,
  ): ModuleNext<"react", S, M, OM, In, Out> {
    const config = { ...options.config, ...(options.maxIters !== undefined && { max_iters: options.maxIters }) };
    const names = (options.tools ?? []).map((tool) => (isRunTool(tool) ? tool.name : String(tool)));
    if (names.length === 0) fail("react: give at least one tool");
    return this.moduleStep("react", signature, { ...options, config }, { tools: names }, options.tools) as never;
  }

  /** A module type registered in the worker (`@register_module`). */
  module<const S extends string, const M extends InputMap<S> = {}, const OM extends OutputMap<KindOutputs<"module", S>> = {}>(
    definition: { readonly type: string; readonly signature: S },
    options: ModuleStepOptions<M, OM> = {},
  ): ModuleNext<"module", S, M, OM, In, Out> {
    if (!definition.type) fail("module: give the registered module `type`");
    return this.moduleStep("module", definition.signature, options, { type: definition.type }) as never;
  }

  /**
   * Runs `then` when the condition holds, else `otherwise` (if given). What both write is
   * in the state afterwards; the `branch_taken` event reports the condition's value.
   */
  branch<Then extends AnyPipeline, Else extends AnyPipeline = Pipeline<{}, {}>>(
    condition: Condition<keyof StateOf<In, Out> & string>,
    then: Then,
    otherwise?: Else,
    options: StepOptions = {},
  ): Next<
    InOf<Then> & InOf<Else>,
    StateOf<In, Out>,
    In,
    Out,
    { [K in keyof OutOf<Then> & keyof OutOf<Else>]: OutOf<Then>[K] | OutOf<Else>[K] }
  > {
    const name = this.stepName("branch", options);
    const state = this.state();
    const missing = conditionRefs(condition.node).filter((ref) => !state.has(ref));
    if (missing.length) fail(`step ${name}: the condition reads ${missing.join(", ")}, which the pipeline does not hold at this point`);
    const sides = [then, ...(otherwise ? [otherwise] : [])];
    const inputs = this.absorb(
      sides.flatMap((side) => [...side.shape.inputs]),
      `step ${name}`,
    );
    checkConditionSize(condition.node, `step ${name}`);
    const written = otherwise ? common([then.shape.writes, otherwise.shape.writes]) : new Map<string, string>();
    const body = { condition: condition.node, ifTrue: then.definition(), ifFalse: otherwise?.definition() };
    return this.next(step(name, options, { case: "branch", value: body }), inputs, written, sides) as never;
  }

  /**
   * Runs the branches at the same time (threads in the worker, each streaming), each on a
   * copy of the state, and combines their outputs with the aggregator. Aborting the run,
   * or a branch failing under fail-fast, cancels every branch.
   */
  parallel<const B extends readonly AnyPipeline[], T extends AggregatorTag>(
    branches: B,
    aggregate: Aggregator<T>,
    options: StepOptions = {},
  ): Next<UnionToIntersection<InOf<B[number]>>, StateOf<In, Out>, In, Out, AggregateOutput<T, OutOf<B[number]>>> {
    const name = this.stepName("parallel", options);
    if (branches.length === 0 || branches.length > LIMITS.maxBranches) fail(`step ${name}: give 1..${LIMITS.maxBranches} branches`);
    const inputs = this.absorb(
      branches.flatMap((b) => [...b.shape.inputs]),
      `step ${name}`,
    );
    const spec = aggregate.spec;
    const { reads, into } = aggregatorFields(spec);
    const produced = new Map(branches.flatMap((b) => [...b.shape.writes]));
    for (const read of reads) {
      if (!produced.has(read)) fail(`step ${name}: the aggregator reads ${read}, which no branch writes`);
    }
    const kind = spec.kind;
    const written = into
      ? new Map([
          [into, kind.case === "concat" ? (kind.value.separator !== undefined ? "str" : "list") : kind.case === "merge" ? "dict" : "Any"],
        ])
      : common(branches.map((b) => b.shape.writes));
    const body = { branches: branches.map((b) => b.definition()), aggregate: spec };
    return this.next(step(name, options, { case: "parallel", value: body }), inputs, written, branches) as never;
  }

  /**
   * Runs `pipe` once per item of the list field `over` (at most `concurrency` at once), with
   * the item as `as`; the list of results goes into `into`.
   */
  map<
    const F extends keyof StateOf<In, Out> & string,
    P extends AnyPipeline,
    const As extends string = "item",
    const Into extends string = "results",
    const Sel extends keyof OutOf<P> & string = never,
  >(
    over: F,
    pipe: P,
    options: MapOptions<As, Into, Sel> = {},
  ): Next<
    InOf<P>,
    Merge<StateOf<In, Out>, { [K in As]: ElementOf<StateOf<In, Out>[F]> }>,
    In,
    Out,
    { [K in Into]: ([Sel] extends [never] ? OutOf<P> : OutOf<P>[Sel])[] }
  > {
    const name = this.stepName("map", options);
    const state = this.state();
    const overType = state.get(over) ?? fail(`step ${name}: map reads ${over}, which the pipeline does not hold at this point`);
    const as = options.as ?? "item";
    const into = options.into ?? "results";
    const item = new Map([[as, elementType(overType)]]);
    const inputs = this.absorb([...pipe.shape.inputs], `step ${name}`, item);
    if (options.select !== undefined && !pipe.shape.writes.has(options.select)) {
      fail(`step ${name}: select names ${options.select}, which the mapped pipeline does not write`);
    }
    const concurrency = options.concurrency;
    if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= LIMITS.maxMapConcurrency)) {
      fail(`step ${name}: concurrency must be an integer 1..${LIMITS.maxMapConcurrency}`);
    }
    const selected = options.select !== undefined ? pipe.shape.writes.get(options.select)! : "dict";
    const body = { over, item: as, into, pipeline: pipe.definition(), select: options.select ?? "", concurrency: concurrency ?? 0 };
    return this.next(step(name, options, { case: "map", value: body }), inputs, new Map([[into, `list[${selected}]`]]), [pipe]) as never;
  }

  /** A nested, named sub-pipeline: its steps' paths are prefixed with its name. */
  pipeline<P extends AnyPipeline>(sub: P, options: StepOptions = {}): Next<InOf<P>, StateOf<In, Out>, In, Out, OutOf<P>> {
    const name = this.stepName("pipeline", { ...options, name: options.name ?? sub.name });
    const inputs = this.absorb([...sub.shape.inputs], `step ${name}`);
    return this.next(step(name, options, { case: "pipeline", value: { pipeline: sub.definition() } }), inputs, sub.shape.writes, [
      sub,
    ]) as never;
  }

  /**
   * Runs the whole pipeline in one worker call. Events: step_start / step_complete /
   * step_error, token (with the step's path), branch_taken, parallel_start /
   * parallel_complete, pipeline_complete, then done. `result` is the final state: the
   * inputs and every step's outputs. In a session the worker compiles it once and reuses it.
   */
  run(target: PipelineTarget, inputs: In, options: PipelineRunOptions<StateOf<In, Out>> = {}): RunStream<StateOf<In, Out>> {
    return runPipeline(target, this, inputs, options);
  }

  /**
   * The wire definition: the contract's PipelineDefinition message. Read it, do not change
   * it: its steps are shared with this pipeline and every pipeline built from it.
   */
  definition(): PipelineDefinition {
    const inputs = Object.fromEntries([...this.shape.inputs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    return create(PipelineDefinitionSchema, { name: this.shape.name, inputs, steps: [...this.shape.steps] });
  }

  /**
   * @internal The definition as sent, and its id: a hash of its binary form, which is
   * deterministic (fields in number order, map keys sorted), so the same pipeline has the
   * same id and a session reuses its compiled pipeline.
   */
  encoded(): { definition: PipelineDefinition; id: string } {
    if (!this.cached) {
      const definition = this.definition();
      const bytes = toBinary(PipelineDefinitionSchema, definition);
      if (bytes.length > LIMITS.maxDefinitionBytes) {
        fail(`pipeline ${this.shape.name}: the definition is ${bytes.length} bytes, larger than ${LIMITS.maxDefinitionBytes}`);
      }
      this.cached = { definition, id: `${this.shape.name}:${createHash("sha256").update(bytes).digest("hex").slice(0, 24)}` };
    }
    return this.cached;
  }

  /** @internal TypeScript tools and tool names of every react step, nested ones too. */
  get tools(): readonly ToolRef[] {
    return this.shape.tools;
  }

  /** The fields a run must be given, with their Python types. */
  get inputs(): Readonly<Record<string, string>> {
    return Object.fromEntries(this.shape.inputs);
  }

  // ---- building ----

  private state(): Map<string, string> {
    return new Map([...this.shape.inputs, ...this.shape.writes]);
  }

  private stepName(kind: string, options: StepOptions): string {
    const name = options.name ?? `${kind}_${this.shape.steps.length}`;
    if (!STEP_NAME.test(name)) fail(`step name ${JSON.stringify(name)} must be ${LIMITS.stepNameRule}`);
    if (this.shape.steps.some((s) => s.name === name)) fail(`pipeline ${this.shape.name}: the step name ${name} is used twice`);
    return name;
  }

  /** Reads from the state: a type check for fields it holds; new pipeline inputs for the others. */
  private absorb(reads: readonly (readonly [string, string])[], where: string, scope?: ReadonlyMap<string, string>): Map<string, string> {
    const state = new Map([...this.state(), ...(scope ?? [])]);
    const added = new Map<string, string>();
    for (const [name, type] of reads) {
      const held = state.get(name) ?? added.get(name);
      if (held === undefined) added.set(name, type);
      else if (!compatible(held, type)) fail(`${where}: field ${name}: the pipeline holds ${held} there, the step takes ${type}`);
    }
    return added;
  }

  private moduleStep(
    kind: "predict" | "chain_of_thought" | "react" | "module",
    signature: string,
    options: ModuleStepOptions<Readonly<Record<string, string | undefined>>, Readonly<Record<string, string | undefined>>>,
    extra: { readonly type?: string; readonly tools?: readonly string[] } = {},
    tools: readonly ToolRef[] = [],
  ): AnyPipeline {
    const name = this.stepName(kind, options);
    const where = `step ${name}`;
    const fields = parseSignature(signature, where);
    const inputMap = defined(options.inputs);
    const outputMap = defined(options.outputs);
    for (const key of Object.keys(inputMap)) {
      if (!fields.inputs.some((f) => f.name === key))
        fail(`${where}: inputs maps ${key}, which is not an input field of ${JSON.stringify(signature)}`);
    }
    const reads = fields.inputs.map((f) => {
      const source = inputMap[f.name] ?? f.name;
      const root = source.split(".")[0]!;
      return [root, source.includes(".") ? "Any" : f.type] as const;
    });
    const inputs = this.absorb(reads, where);
    const produced = [...(kind === "chain_of_thought" ? [{ name: "reasoning", type: "str" }] : []), ...fields.outputs];
    if (kind === "react") produced.push({ name: "trajectory", type: "dict" });
    for (const key of Object.keys(outputMap)) {
      if (!produced.some((f) => f.name === key))
        fail(`${where}: outputs maps ${key}, which is not an output of ${JSON.stringify(signature)}`);
    }
    const written = new Map(produced.map((f) => [outputMap[f.name] ?? f.name, f.type]));
    const module = toModuleSpec({
      type: extra.type ?? "", // predict, chain_of_thought, react: the step kind names the module
      signature,
      ...(options.instructions !== undefined && { instructions: options.instructions }),
      ...(options.config !== undefined && Object.keys(options.config).length > 0 && { config: options.config }),
      ...(options.state !== undefined && { state: options.state }),
      ...(extra.tools && { tools: extra.tools }),
    });
    const body = { module, inputs: sorted(inputMap), outputs: sorted(outputMap) };
    return this.next(
      step(name, options, { case: kind === "chain_of_thought" ? "chainOfThought" : kind, value: body }),
      inputs,
      written,
      [],
      tools,
    );
  }

  private next(
    step: StepSpec,
    inputs: ReadonlyMap<string, string>,
    written: ReadonlyMap<string, string>,
    subs: readonly AnyPipeline[],
    tools: readonly ToolRef[] = [],
  ): AnyPipeline {
    return new Pipeline({
      name: this.shape.name,
      inputs: new Map([...this.shape.inputs, ...inputs]),
      writes: new Map([...this.shape.writes, ...written]),
      steps: [...this.shape.steps, step],
      tools: dedupe([...this.shape.tools, ...subs.flatMap((s) => s.shape.tools), ...tools]),
    });
  }
}

/**
 * Starts a pipeline. `inputs` declares fields up front ("question: str, mode: str"), for
 * when a condition or sub-pipeline reads a field before any step does; otherwise the
 * inputs are inferred from what the steps read.
 */
export function pipeline<const I extends string = "">(
  name: string,
  options: { readonly inputs?: I } = {},
): Pipeline<I extends "" ? {} : SignatureInputs<`${I} -> _`>, {}> {
  if (!STEP_NAME.test(name)) fail(`pipeline name ${JSON.stringify(name)} must be ${LIMITS.stepNameRule}`);
  const declared = options.inputs ? parseFields(options.inputs, `pipeline ${name}`) : [];
  return new Pipeline({ name, inputs: new Map(declared.map((f) => [f.name, f.type])), writes: new Map(), steps: [], tools: [] }) as never;
}

/** A step message: its name, error policy and kind. */
function step(name: string, options: StepOptions, kind: StepKind): PipelineStep {
  return create(PipelineStepSchema, { name, onError: policy(options), kind });
}

/** Fail-fast (the default) is left unset. */
function policy(options: StepOptions): ErrorPolicyMessage | undefined {
  const onError = options.onError;
  if (onError === undefined || onError === "fail-fast") return undefined;
  if (onError === "continue") return create(ErrorPolicySchema, { mode: ErrorPolicy_Mode.CONTINUE });
  const max = LIMITS.maxRetries;
  if (typeof onError === "object" && Number.isInteger(onError.retry) && onError.retry >= 1 && onError.retry <= max) {
    return create(ErrorPolicySchema, { mode: ErrorPolicy_Mode.RETRY, retries: onError.retry });
  }
  return fail(`onError must be "fail-fast", "continue" or { retry: 1..${max} }, got ${JSON.stringify(onError)}`);
}

/** A map with its keys in order: the binary form, and so the pipeline's id, is deterministic. */
function sorted(map: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** What every map holds, with one type where they agree. */
function common(maps: readonly ReadonlyMap<string, string>[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, type] of maps[0] ?? []) {
    if (maps.every((m) => m.has(key))) out.set(key, maps.every((m) => m.get(key) === type) ? type : "Any");
  }
  return out;
}

function defined(map: Readonly<Record<string, string | undefined>> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(map ?? {}).filter((entry): entry is [string, string] => typeof entry[1] === "string"));
}

function dedupe(tools: readonly ToolRef[]): ToolRef[] {
  return [...new Set(tools)];
}
