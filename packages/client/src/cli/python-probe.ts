import { runCommand } from "./run-command.js";

export interface PythonProbe {
  readonly python: string;
  readonly executable: string;
  /** dspy-connect-worker's installed version, or null. */
  readonly worker: string | null;
  readonly dspy: string | null;
}

// Package metadata only: importing DSPy would take seconds.
const PROBE = `import importlib.metadata as m, json, platform, sys
def version(name):
    try:
        return m.version(name)
    except m.PackageNotFoundError:
        return None
print(json.dumps({"python": platform.python_version(), "executable": sys.executable, "worker": version("dspy-connect-worker"), "dspy": version("dspy")}))`;

/** What a Python command has installed; an error string when it cannot run. */
export async function probePython(argv: readonly string[]): Promise<PythonProbe | string> {
  const result = await runCommand([...argv, "-c", PROBE]);
  if (result.code !== 0) return result.stderr.trim().split("\n").at(-1) || `exit code ${result.code}`;
  try {
    return JSON.parse(result.stdout.trim().split("\n").at(-1) ?? "") as PythonProbe;
  } catch {
    return `unexpected output: ${result.stdout.slice(0, 200)}`;
  }
}
