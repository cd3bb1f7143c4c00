import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/** Runs a command (ip, mostly); a failure names the command and its stderr. */
export async function run(command: string, ...args: string[]): Promise<string> {
  try {
    return (await execFileAsync(command, args)).stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`${command} ${args.join(" ")} failed: ${stderr || (error as Error).message}`);
  }
}

/** The same, for cleanup at process exit (no event loop): errors are ignored. */
export function runSyncQuietly(command: string, ...args: string[]): void {
  try {
    execFileSync(command, args, { stdio: "ignore" });
  } catch {
    // already gone
  }
}
