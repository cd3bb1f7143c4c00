import { spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Code } from "../src/index.js";
import { startClient } from "./helpers.js";

// The runtime folder is where run folders (worker sockets, pid files) live. These tests attack
// it on the real filesystem, as another user (uid 65534) where the test runs as root.
const OTHER = 65534;
const asRoot = process.getuid?.() === 0;
const hasSetpriv = spawnSync("setpriv", ["--version"]).status === 0;
const asOther = (cmd: string[]) => {
  const r = spawnSync("setpriv", [`--reuid=${OTHER}`, `--regid=${OTHER}`, "--clear-groups", ...cmd], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`as uid ${OTHER}: ${cmd.join(" ")} failed: ${r.stderr}`);
  return r.stdout;
};
const HOURS_AGO = Date.now() / 1000 - 2 * 3600;

let sandbox: string; // stands in for /tmp: world-writable and sticky
const savedEnv = { ...process.env };

beforeEach(() => {
  sandbox = mkdtempSync(join(tmpdir(), "dc-rt-"));
  chmodSync(sandbox, 0o1777);
  process.env.TMPDIR = sandbox;
  delete process.env.XDG_RUNTIME_DIR;
  delete process.env.DSPY_CONNECT_RUNTIME_DIR;
});

afterEach(() => {
  for (const key of ["TMPDIR", "XDG_RUNTIME_DIR", "DSPY_CONNECT_RUNTIME_DIR"]) {
    if (savedEnv[key] === undefined) delete process.env[key];
    else process.env[key] = savedEnv[key];
  }
  rmSync(sandbox, { recursive: true, force: true });
});

/** Folders under `root` holding an owner file that names this process: where the client put its run. */
function runFoldersOf(root: string, pid = process.pid): string[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || depth > 3) continue;
      const path = join(dir, entry.name);
      try {
        if (JSON.parse(readFileSync(join(path, "owner.json"), "utf8")).pid === pid) found.push(path);
      } catch {
        walk(path, depth + 1);
      }
    }
  };
  walk(root, 0);
  return found;
}

const modeOf = (path: string) => statSync(path).mode & 0o7777;
const warnings = () => {
  const lines: string[] = [];
  return { lines, logger: { warn: (m: string) => lines.push(m) } };
};

describe("runtime folder", () => {
  it("keeps a user's own files in DSPY_CONNECT_RUNTIME_DIR, even old ones or other tools' owner.json", async () => {
    const base = join(sandbox, "my-runtime");
    mkdirSync(base, { mode: 0o700 });
    writeFileSync(join(base, "notes.txt"), "mine");
    mkdirSync(join(base, "cafebabe"));
    writeFileSync(join(base, "cafebabe", "data.bin"), "mine too");
    mkdirSync(join(base, "other-tool"));
    // Another program's owner file, naming a process that is gone.
    const gone = spawnSync("true").pid!;
    writeFileSync(join(base, "other-tool", "owner.json"), JSON.stringify({ pid: gone }));
    // Our folder name, but an owner file we never write: not provably ours either.
    mkdirSync(join(base, "run-0badc0de"));
    writeFileSync(join(base, "run-0badc0de", "owner.json"), JSON.stringify({ pid: gone, startedAt: 0 }));
    for (const p of ["notes.txt", "cafebabe", "other-tool", "run-0badc0de"]) utimesSync(join(base, p), HOURS_AGO, HOURS_AGO);
    process.env.DSPY_CONNECT_RUNTIME_DIR = base;

    const client = await startClient({ workers: 0 });
    await client.close();

    expect(readFileSync(join(base, "notes.txt"), "utf8")).toBe("mine");
    expect(readFileSync(join(base, "cafebabe", "data.bin"), "utf8")).toBe("mine too");
    expect(existsSync(join(base, "other-tool", "owner.json"))).toBe(true);
    expect(existsSync(join(base, "run-0badc0de", "owner.json"))).toBe(true);
    expect(modeOf(base)).toBe(0o700);
  });

  it("refuses an explicit DSPY_CONNECT_RUNTIME_DIR that others can enter, without chmodding it", async () => {
    const base = join(sandbox, "shared");
    mkdirSync(base);
    chmodSync(base, 0o755);
    process.env.DSPY_CONNECT_RUNTIME_DIR = base;

    const error = await startClient({ workers: 0 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: Code.FailedPrecondition });
    expect((error as Error).message).toContain(base);
    expect((error as Error).message).toMatch(/0755/);
    expect(modeOf(base)).toBe(0o755);
    expect(readdirSync(base)).toEqual([]);
  });

  it("prefers $XDG_RUNTIME_DIR", async () => {
    const xdg = mkdtempSync(join(sandbox, "xdg-"));
    process.env.XDG_RUNTIME_DIR = xdg;
    const client = await startClient({ workers: 0 });
    try {
      expect(runFoldersOf(xdg)).toHaveLength(1);
      expect(runFoldersOf(xdg)[0]).toMatch(new RegExp(`^${xdg}/dspy-connect/`));
    } finally {
      await client.close();
    }
  });

  describe.skipIf(!asRoot || !hasSetpriv)(`as uid ${OTHER}`, () => {
    const predictable = () => join(sandbox, `dspy-connect-${process.geteuid!()}`);

    it("does not follow a symlink planted at the predictable path", async () => {
      // The link points at another folder of the client's user, as an attacker would aim it.
      const target = join(sandbox, "victim");
      mkdirSync(target);
      chmodSync(target, 0o755);
      writeFileSync(join(target, "diary.txt"), "private");
      utimesSync(join(target, "diary.txt"), HOURS_AGO, HOURS_AGO);
      asOther(["ln", "-s", target, predictable()]);
      const { lines, logger } = warnings();

      const client = await startClient({ workers: 0, logger });
      try {
        expect(modeOf(target)).toBe(0o755);
        expect(readdirSync(target)).toEqual(["diary.txt"]);
        expect(runFoldersOf(sandbox)).toHaveLength(1);
        expect(lines.join("\n")).toMatch(/symbolic link/);
      } finally {
        await client.close();
      }
    });

    it("does not use a folder another user created at the predictable path, and still serves calls", async () => {
      asOther(["mkdir", "-m", "0777", predictable()]);
      const { lines, logger } = warnings();

      const client = await startClient({ workers: 1, logger });
      try {
        expect(readdirSync(predictable())).toEqual([]);
        expect(modeOf(predictable())).toBe(0o777);
        const [run] = runFoldersOf(sandbox);
        expect(run).toBeDefined();
        expect(statSync(run!).uid).toBe(0);
        expect(lines.join("\n")).toMatch(new RegExp(`owned by uid ${OTHER}`));
        await expect(client.predict("q -> a", { q: "hi" })).resolves.toEqual({ a: "a: hi" });
      } finally {
        await client.close();
      }
    });

    it(`lets a client running as uid ${OTHER} start when root pre-created its folder`, () => {
      const folder = join(sandbox, `dspy-connect-${OTHER}`);
      mkdirSync(folder, { mode: 0o755 }); // owned by root: the old chmod failed with EPERM here
      const fixture = join(import.meta.dirname, "fixtures", "start-stop.mjs");
      const out = asOther(["env", `TMPDIR=${sandbox}`, "HOME=/nonexistent", process.execPath, fixture]);
      const result = JSON.parse(out.trim().split("\n").pop()!);
      expect(result).toMatchObject({ started: true });
      expect(result.warnings.join("\n")).toMatch(/owned by uid 0/);
      expect(readdirSync(folder)).toEqual([]);
    });
  });
});
