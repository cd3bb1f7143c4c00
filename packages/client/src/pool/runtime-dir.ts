import { randomBytes } from "node:crypto";
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { isAbsolute, join } from "node:path";
import { Code, ConnectError } from "../errors.js";
import type { Logger } from "../options.js";
import { ensurePrivateDir, privateDirProblem } from "./private-dir.js";

/** The folder that holds run folders; `temporary` when it was made for this run only. */
export interface RuntimeBase {
  readonly path: string;
  readonly temporary: boolean;
}

/** Private folder for one pool run: worker sockets and pid files, mode 0700. */
export interface RunDir {
  readonly runId: string;
  readonly path: string;
  readonly base: RuntimeBase;
}

// Only folders with this name AND an owner file of this shape are ever swept.
const RUN_NAME = /^run-([0-9a-f]{8})$/;
const OWNER_FILE = "owner.json";
const CREATED_BY = "dspy-connect";

/**
 * Picks the runtime folder, never following a symlink and never chmodding a folder.
 * DSPY_CONNECT_RUNTIME_DIR is used as is and must pass the checks (else FailedPrecondition).
 * Otherwise $XDG_RUNTIME_DIR/dspy-connect, then <tmpdir>/dspy-connect-<euid>; if neither
 * passes, a fresh mkdtemp folder for this run only, with a warning.
 */
export function runtimeBase(logger: Logger): RuntimeBase {
  const explicit = process.env.DSPY_CONNECT_RUNTIME_DIR;
  if (explicit) {
    const problem = ensurePrivateDir(explicit, true);
    if (problem) {
      throw new ConnectError(`DSPY_CONNECT_RUNTIME_DIR ${explicit} cannot hold run folders: ${problem}`, Code.FailedPrecondition);
    }
    return { path: explicit, temporary: false };
  }
  const refused: string[] = [];
  for (const path of defaultCandidates(refused)) {
    const problem = ensurePrivateDir(path, false);
    if (!problem) return { path, temporary: false };
    refused.push(`${path} ${problem}`);
  }
  const path = mkdtempSync(join(tmpdir(), "dspy-connect-"));
  logger.warn?.(`runtime folder ${refused.join("; ")}: using ${path} for this run (orphans of earlier runs are not swept)`);
  return { path, temporary: true };
}

function defaultCandidates(refused: string[]): string[] {
  const candidates: string[] = [];
  const xdg = process.env.XDG_RUNTIME_DIR;
  if (xdg && isAbsolute(xdg)) {
    // The XDG spec promises a 0700 folder of ours; check it rather than trust it.
    const problem = privateDirProblem(xdg);
    if (problem) refused.push(`$XDG_RUNTIME_DIR ${xdg} ${problem}`);
    else candidates.push(join(xdg, "dspy-connect"));
  }
  candidates.push(join(tmpdir(), `dspy-connect-${process.geteuid?.() ?? "u"}`));
  return candidates;
}

export function createRunDir(base: RuntimeBase): RunDir {
  const runId = randomBytes(4).toString("hex");
  const path = join(base.path, `run-${runId}`);
  mkdirSync(path, { mode: 0o700 }); // fails if the name exists: a run folder is never reused
  const owner = { createdBy: CREATED_BY, runId, pid: process.pid, startedAt: Date.now() };
  writeFileSync(join(path, OWNER_FILE), JSON.stringify(owner), { flag: "wx", mode: 0o600 });
  return { runId, path, base };
}

export function removeRunDir(dir: RunDir): void {
  rmSync(dir.path, { recursive: true, force: true });
  if (!dir.base.temporary) return;
  try {
    rmdirSync(dir.base.path); // only if empty: the fallback folder made for this run
  } catch {
    // something else was put there meanwhile: leave it
  }
}

/**
 * Kills workers left by earlier runs whose Node process died without cleaning up, and
 * removes their folders. Only folders this project provably created are touched: a
 * `run-<id>` name, owned by us, with an owner file naming that run and a dead process.
 * A pid is only killed if its command line names that run.
 */
export function sweepOrphans(base: RuntimeBase, logger: Logger): number {
  if (base.temporary) return 0; // made for this run: nothing of earlier runs is in it
  let killed = 0;
  for (const name of safeReaddir(base.path)) {
    const runId = RUN_NAME.exec(name)?.[1];
    if (!runId) continue;
    const path = join(base.path, name);
    if (privateDirProblem(path)) continue;
    const owner = readOwner(path, runId);
    if (!owner || isAlive(owner.pid)) continue;
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

/** The owner file createRunDir wrote, or undefined if the folder has none of that shape. */
function readOwner(path: string, runId: string): { pid: number } | undefined {
  const file = join(path, OWNER_FILE);
  try {
    const info = lstatSync(file);
    if (!info.isFile() || info.size > 1024) return undefined;
    const owner = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    const ours =
      owner.createdBy === CREATED_BY &&
      owner.runId === runId &&
      Number.isInteger(owner.pid) &&
      (owner.pid as number) > 0 &&
      typeof owner.startedAt === "number";
    return ours ? { pid: owner.pid as number } : undefined;
  } catch {
    return undefined;
  }
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
