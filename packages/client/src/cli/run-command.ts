import { spawn } from "node:child_process";

export interface CommandResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a program without a shell. `show` streams its output to our stderr (installs); otherwise
 * it is captured. A program that cannot start resolves with code null and the reason.
 */
export function runCommand(
  argv: readonly string[],
  options: { readonly show?: boolean; readonly env?: NodeJS.ProcessEnv } = {},
): Promise<CommandResult> {
  const [program, ...args] = argv as [string, ...string[]];
  return new Promise((resolve) => {
    const child = spawn(program, args, {
      env: options.env ?? process.env,
      stdio: ["ignore", "pipe", options.show ? "inherit" : "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      if (options.show) process.stderr.write(chunk);
      else stdout += chunk.toString();
    });
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", (error) => resolve({ code: null, stdout, stderr: error.message }));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
