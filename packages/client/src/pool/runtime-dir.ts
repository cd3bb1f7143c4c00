import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Logger } from "../options.js";

/** Private folder for one pool run: worker sockets and pid files, mode 0700. */
export interface RunDir {
  readonly runId: string;
  readonly path: string;
}

export function baseRuntimeDir(): string {
  const base = process.env.DSPY_CONNECT_RUNTIME_DIR ?? join(tmpdir(), `dspy-connect-${process.getuid?.() ?? "u"}`);
  mkdirSync(base, { recursive: true, mode: 0o700 });
  chmodSync(base, 0o700);
  return base;
}

export function createRunDir(base: string): RunDir {
  const runId = randomBytes(4).toString("hex");
  const path = join(base, runId);
  mkdirSync(path, { mode: 0o700 });
  writeFileSync(join(path, "owner.json"), JSON.stringify({ pid: process.pid, startedAt: Date.now() }));
  return { runId, path };
}

export function removeRunDir(dir: RunDir): void {
  rmSync(dir.path, { recursive: true, force: true });
}

/**
 * Kills workers left by earlier runs whose Node process died without cleaning up,
 * and removes their folders. A pid is only killed if its command line names that run.
 */
export function sweepOrphans(base: string, logger: Logger): number {
  let killed = 0;
  for (const runId of safeReaddir(base)) {
    const path = join(base, runId);
    const owner = readJson(join(path, "owner.json")) as { pid?: number } | undefined;
    if (owner?.pid && isAlive(owner.pid)) continue;
    if (!owner && Date.now() - statSync(path).mtimeMs < 60_000) continue; // being created
    for (const file of safeReaddir(path).filter((f) => f.endsWith(".pid"))) {
      const pid = Number(readFileSync(join(path, file), "utf8"));
      if (pid > 0 && isAlive(pid) && commandLine(pid).includes(runId)) {
        try {
          process.kill(-pid, "SIGKILL");
          killed++;
        } catch {
          // gone meanwhile
        }
      }
    }
    rmSync(path, { recursive: true, force: true });
  }
  if (killed) logger.warn?.(`killed ${killed} orphaned worker(s) left by earlier runs`);
  return killed;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    return "";
  }
}

function safeReaddir(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch {
    return undefined;
  }
}
