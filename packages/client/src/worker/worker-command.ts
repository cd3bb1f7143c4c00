import { Code, ConnectError } from "../errors.js";
import { CLIENT_VERSION, WORKER_VERSION } from "../version.js";
import { findManagedEnv } from "./managed-env.js";

/** A Python interpreter, or a command that acts as one (`["uv", "run", "python"]`). */
export type PythonCommand = string | readonly string[];

export interface WorkerCommand {
  /** Program and leading arguments; `-m dspy_connect.worker ...` is appended. */
  readonly argv: readonly string[];
  /** Where it came from, for `dspy-connect doctor` and error messages. */
  readonly source: "option" | "DSPY_CONNECT_PYTHON" | "managed environment" | "default";
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The worker's Python: the `python` option, else $DSPY_CONNECT_PYTHON, else the environment
 * `npx dspy-connect setup` made for this client's version, else `python3`.
 */
export function resolveWorkerCommand(python: PythonCommand | undefined, env: Env = process.env): WorkerCommand {
  if (python !== undefined) {
    const argv = typeof python === "string" ? [python] : [...python];
    if (argv.length === 0 || argv.some((a) => typeof a !== "string" || a === "")) {
      throw new ConnectError("python must be a non-empty string or array of non-empty strings", Code.InvalidArgument);
    }
    return { argv, source: "option" };
  }
  if (env.DSPY_CONNECT_PYTHON) return { argv: [env.DSPY_CONNECT_PYTHON], source: "DSPY_CONNECT_PYTHON" };
  const managed = findManagedEnv(CLIENT_VERSION, env);
  if (managed) return { argv: [managed.python], source: "managed environment" };
  return { argv: ["python3"], source: "default" };
}

export const SETUP_COMMAND = "npx dspy-connect setup";

const MISSING_MODULE = /No module named 'dspy_connect'/;

/**
 * A worker that could not start because there is no worker to start (no such program, or a
 * Python without dspy_connect) becomes a FailedPrecondition naming the command that fixes it.
 */
export function explainMissingWorker(error: unknown, command: WorkerCommand): unknown {
  if (!(error instanceof Error)) return error;
  const noProgram = /cannot start .* ENOENT/.test(error.message);
  if (!noProgram && !MISSING_MODULE.test(error.message)) return error;
  const what = noProgram
    ? `${command.argv[0]} (from ${command.source}) was not found`
    : `${command.argv.join(" ")} (from ${command.source}) has no dspy_connect module`;
  return new ConnectError(
    `no dspy-connect worker: ${what}. Run \`${SETUP_COMMAND}\` to install dspy-connect-worker ${WORKER_VERSION} ` +
      `into a managed environment the client finds by itself, or pass \`python\` (or set DSPY_CONNECT_PYTHON) ` +
      `to a Python that has \`pip install dspy-connect-worker==${WORKER_VERSION}\`.`,
    Code.FailedPrecondition,
    undefined,
    undefined,
    error,
  );
}
