import type { CallResult } from "./call.js";
import { type ModuleDefinition, moduleOptions } from "./module-spec.js";
import type { CallOptions, ModuleCallOptions } from "./options.js";
import type { SignatureInputs, SignatureOutputs, WithReasoning } from "./signature/types.js";

/** The typed shortcuts shared by the client and sessions; each supplies its own `call`. */
export abstract class ModuleCaller {
  abstract call<O = Record<string, unknown>>(
    module: ModuleDefinition,
    inputs: Readonly<Record<string, unknown>>,
    options?: CallOptions,
  ): Promise<CallResult<O>>;

  /** dspy.Predict on a typed signature: `predict("question -> answer: int", { question })`. */
  predict<S extends string>(signature: S, inputs: SignatureInputs<S>, options?: ModuleCallOptions): Promise<SignatureOutputs<S>> {
    return this.call<SignatureOutputs<S>>({ type: "predict", signature, ...moduleOptions(options) }, inputs, options).then(
      (r) => r.outputs,
    );
  }

  /** dspy.ChainOfThought: the outputs plus the model's `reasoning`. */
  chainOfThought<S extends string>(
    signature: S,
    inputs: SignatureInputs<S>,
    options?: ModuleCallOptions,
  ): Promise<WithReasoning<SignatureOutputs<S>>> {
    return this.call<WithReasoning<SignatureOutputs<S>>>(
      { type: "chain_of_thought", signature, ...moduleOptions(options) },
      inputs,
      options,
    ).then((r) => r.outputs);
  }
}
