import { encodeJson, type ModuleDefinition, toModuleSpec } from "@dspy-connect/client";
import type { RunStream } from "../stream/run-stream.js";
import { type StreamOptions, type StreamTarget, startStream } from "../stream/target.js";

/** Named metrics every worker has; workers may register more (`@register_metric`). */
export type MetricName = "exact_match" | "contains" | "f1" | (string & {});

export type OptimizerSpec =
  | { readonly name: "bootstrap_few_shot"; readonly config?: BootstrapFewShotConfig }
  | { readonly name: "miprov2"; readonly config?: MiproV2Config };

export interface BootstrapFewShotConfig {
  readonly max_bootstrapped_demos?: number;
  readonly max_labeled_demos?: number;
  readonly max_rounds?: number;
  readonly max_errors?: number;
  readonly metric_threshold?: number;
}

export interface MiproV2Config {
  readonly auto?: "light" | "medium" | "heavy" | null;
  readonly num_candidates?: number;
  readonly num_trials?: number;
  readonly max_bootstrapped_demos?: number;
  readonly max_labeled_demos?: number;
  readonly num_threads?: number;
  readonly max_errors?: number;
  readonly seed?: number;
  readonly init_temperature?: number;
  readonly metric_threshold?: number;
  readonly minibatch?: boolean;
  readonly minibatch_size?: number;
  readonly minibatch_full_eval_steps?: number;
  readonly program_aware_proposer?: boolean;
  readonly data_aware_proposer?: boolean;
  readonly view_data_batch_size?: number;
  readonly tip_aware_proposer?: boolean;
  readonly fewshot_aware_proposer?: boolean;
}

export interface OptimizationResult {
  readonly optimizer: string;
  readonly metric: string;
  /**
   * The compiled program's score, 0 to 1 for every optimizer: MIPROv2's own, or (for
   * BootstrapFewShot) one evaluation on the valset, else the trainset. null only if the
   * evaluation produced no score.
   */
  readonly score: number | null;
  /** Evaluations of candidate programs run (the `trial` events of kind "trial"). */
  readonly trials: number;
  /**
   * The compiled program's state (DSPy dump_state JSON: demos, instructions). Save it as
   * JSON; pass it back as `state` to predict / streamPredict to use the compiled program.
   */
  readonly state: Record<string, unknown>;
}

export interface StreamOptimizationOptions extends StreamOptions<OptimizationResult> {
  /** Examples held out for evaluation (MIPROv2). */
  readonly valset?: readonly Readonly<Record<string, unknown>>[];
}

/**
 * Compiles `program` with a DSPy optimizer in the worker and streams its progress as
 * `trial` events. `trainset` rows hold input and label fields together. Only named
 * metrics and optimizers run: no client code is executed.
 */
export function streamOptimization(
  target: StreamTarget,
  program: ModuleDefinition,
  trainset: readonly Readonly<Record<string, unknown>>[],
  metric: MetricName,
  optimizer: OptimizerSpec,
  options: StreamOptimizationOptions = {},
): RunStream<OptimizationResult> {
  return startStream<OptimizationResult>(
    target,
    () => ({
      operation: {
        case: "optimize",
        value: {
          program: toModuleSpec(program),
          trainsetJson: encodeJson(trainset, "trainset"),
          valsetJson: options.valset ? encodeJson(options.valset, "valset") : new Uint8Array(),
          metric,
          optimizer: optimizer.name,
          optimizerConfigJson: encodeJson(optimizer.config ?? {}, "optimizer.config"),
        },
      },
    }),
    options,
    (value) => value as OptimizationResult,
  );
}
