// Starts bench/openai-stand-in.ts as its own process (so its CPU is not the client's) and
// reads its ready line.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { root } from "./lib.ts";

export interface StandIn {
  readonly apiBase: string;
  readonly pid: number;
  readonly stop: () => void;
}

export async function startStandIn(chunks: number, delayMs: number, host = "127.0.0.1"): Promise<StandIn> {
  const args = [`${root}/bench/openai-stand-in.ts`, "--chunks", String(chunks), "--delay-ms", String(delayMs), "--host", host];
  const child = spawn(process.execPath, args, { stdio: ["pipe", "pipe", "inherit"] });
  const line = await new Promise<string>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`the stand-in server exited with ${code}`)));
    createInterface({ input: child.stdout! }).once("line", resolve);
  });
  const ready = JSON.parse(line) as { apiBase: string; pid: number };
  return { ...ready, stop: () => child.stdin!.end() };
}
