import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { workerPython } from "@dspy-connect/test-support";

export { collect, rssMiB, startClient, waitFor, workerPython as python } from "@dspy-connect/test-support";

/** What DSPy's own streamify yields, run in a separate Python process. */
export async function streamifyReference(spec: object): Promise<{ predictor: string; field: string; delta: string; last: boolean }[]> {
  const { stdout } = await promisify(execFile)(workerPython, ["-m", "dspy_connect.testing.streamify_reference", JSON.stringify(spec)], {
    env: { ...process.env },
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(stdout.trim().split("\n").at(-1)!);
}
