import { Code, ConnectError } from "../errors.js";
import type { LmSettings } from "../options.js";

/**
 * The scripted test LM's models (the worker's `dspy_connect.testing.scripted_lm`). Each
 * answers in DSPy's ChatAdapter format, so DSPy's own parsing runs as with a real LM.
 */
export type ScriptedModel = "scripted/echo" | "scripted/fail" | "scripted/stray" | `scripted/slow-${number}` | `scripted/tokens-${number}`;

/** One LM call's scripted output values, by output field name (JSON values). */
export type ScriptedFields<O extends object = Record<string, unknown>> = Partial<O> & Readonly<Record<string, unknown>>;

export interface ScriptedOutputsOptions {
  /** The scripted model that answers: `scriptedLm.tokens(20)` streams them slowly. Default echo. */
  readonly model?: ScriptedModel;
}

const failAtOnce: LmSettings = { model: "scripted/fail", kwargs: { num_retries: 0 } };

/** LM keyword argument the scripted provider reads its values from. */
const SCRIPTED_OUTPUTS = "scripted_outputs";

/** Typed names of the scripted models, and scripted output values, for `lm` options. */
export const scriptedLm = {
  /**
   * Answers at once, from the first input's value `v`: a str field `"<field>: v"`,
   * `reasoning` `"Step by step: v"`, int `len(v)`, float 0.5, bool true, lists of these.
   */
  echo: "scripted/echo",
  /**
   * Fails every call, as an LM outage would: the call rejects with `Code.Internal`, "… (after
   * 1 attempt)". At once: its retries are off (by default an outage gets 2, after 0.5 s and 1 s;
   * `lm: "scripted/fail"` has them, "… (after 3 attempts)").
   */
  fail: failAtOnce,
  /** An agent's first step names a tool it does not have. */
  stray: "scripted/stray",
  /** Echo, after waiting `ms` in total. */
  slow: (ms: number): ScriptedModel => `scripted/slow-${wholeMs(ms, "slow")}`,
  /** Echo, streamed with `ms` between chunks. */
  tokens: (ms: number): ScriptedModel => `scripted/tokens-${wholeMs(ms, "tokens")}`,
  /**
   * An LM that answers these output values. One object answers every call; a list answers
   * an agent's (ReAct's) steps in order, one entry per step, then its final answer; the
   * last entry repeats. Fields left out keep the echo values; fields a call does not ask
   * for are ignored. A value that does not fit its field's type fails the call, as a real
   * LM's unparsable reply would. Type the values with a signature's outputs:
   * `scriptedLm.outputs<SignatureOutputs<typeof sig>>({ answer: 4 })`.
   */
  outputs<O extends object = Record<string, unknown>>(
    fields: ScriptedFields<NoInfer<O>> | readonly ScriptedFields<NoInfer<O>>[],
    options: ScriptedOutputsOptions = {},
  ): LmSettings {
    const steps = Array.isArray(fields) ? fields : [fields];
    if (steps.length === 0) throw new ConnectError("scriptedLm.outputs needs at least one entry", Code.InvalidArgument);
    return {
      model: options.model ?? scriptedLm.echo,
      kwargs: { [SCRIPTED_OUTPUTS]: steps },
    };
  },
} as const;

function wholeMs(ms: number, model: string): number {
  if (!Number.isSafeInteger(ms) || ms < 0) {
    throw new ConnectError(`scriptedLm.${model}(ms) takes a whole number of milliseconds ≥ 0, got ${ms}`, Code.InvalidArgument);
  }
  return ms;
}
