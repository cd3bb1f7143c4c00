// Starts a local LM server for a benchmark and reads its ready line: the llama-cpp-python
// baseline or @dspy-connect/local-lm.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { READY_PREFIX, serverEntry } from "@dspy-connect/local-lm";
import { root } from "./lib.ts";

const STARTUP_TIMEOUT_MS = 180_000;

export interface Server {
  readonly child: ChildProcess;
  readonly apiBase: string;
  readonly model: string;
  readonly stderrTail: () => string;
}

/**
 * baseline: the llama-cpp-python server this project used before; new: @dspy-connect/local-lm
 * with its defaults; new:ARGS: the same with more arguments ("new:--model gemma-3-270m").
 */
function command(name: string): [string, string[]] {
  if (name === "baseline") {
    const venvPython = `${root}/.bench/llama-cpp-python/bin/python`;
    if (!existsSync(venvPython)) throw new Error("no baseline venv: run bash bench/baseline/setup.sh");
    return [venvPython, [`${root}/bench/baseline/llama_cpp_python_server.py`, "--exit-with-stdin"]];
  }
  if (name === "new" || name.startsWith("new:")) {
    const extra = name.slice(4).split(" ").filter(Boolean);
    return [process.execPath, [serverEntry, "serve", "--exit-with-stdin", ...extra]];
  }
  throw new Error(`unknown server ${name}: baseline, new or new:ARGS`);
}

export async function startServer(name: string): Promise<Server> {
  const [cmd, args] = command(name);
  const child = spawn(cmd, args, { cwd: root, stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const stderrTail = () => stderr;
  const lines = createInterface({ input: child.stdout! });
  const ready = await new Promise<{ api_base: string; model: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name}: no ready line in ${STARTUP_TIMEOUT_MS} ms\n${stderr}`)), STARTUP_TIMEOUT_MS);
    child.once("exit", (code) => reject(new Error(`${name} exited with ${code} before its ready line\n${stderr}`)));
    lines.on("line", (line) => {
      if (!line.startsWith(READY_PREFIX)) return;
      clearTimeout(timer);
      resolve(JSON.parse(line.slice(READY_PREFIX.length)));
    });
  });
  return { child, apiBase: ready.api_base, model: ready.model, stderrTail };
}

export async function stopServer(server: Server): Promise<void> {
  const exited = new Promise((resolve) => server.child.once("exit", resolve));
  server.child.stdin!.end();
  server.child.kill("SIGTERM");
  const timer = setTimeout(() => server.child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}
