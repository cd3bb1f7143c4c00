import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLIENT_VERSION } from "../version.js";
import { MANAGED_ENV_STAMP, managedEnvDir } from "./managed-env.js";
import { resolveWorkerCommand } from "./worker-command.js";

function cacheWithEnv(workerVersion: string, stampVersion = workerVersion): string {
  const cache = mkdtempSync(join(tmpdir(), "dc-managed-"));
  const dir = managedEnvDir(workerVersion, { DSPY_CONNECT_CACHE_DIR: cache });
  mkdirSync(join(dir, "bin"), { recursive: true });
  writeFileSync(join(dir, "bin", "python"), "");
  const stamp = { workerVersion: stampVersion, pythonVersion: "3.11.0", source: "PyPI", createdAt: "" };
  writeFileSync(join(dir, MANAGED_ENV_STAMP), JSON.stringify(stamp));
  return cache;
}

describe("resolveWorkerCommand", () => {
  it("takes the python option first, as a string or a command with arguments", () => {
    const env = { DSPY_CONNECT_PYTHON: "/env/python" };
    expect(resolveWorkerCommand("/opt/python", env)).toEqual({ argv: ["/opt/python"], source: "option" });
    expect(resolveWorkerCommand(["uv", "run", "python"], env)).toEqual({ argv: ["uv", "run", "python"], source: "option" });
  });

  it("rejects an empty command", () => {
    expect(() => resolveWorkerCommand([], {})).toThrow(/non-empty/);
    expect(() => resolveWorkerCommand(["uv", ""], {})).toThrow(/non-empty/);
  });

  it("then $DSPY_CONNECT_PYTHON, then the managed environment of this version, then python3", () => {
    const cache = cacheWithEnv(CLIENT_VERSION);
    const managed = join(managedEnvDir(CLIENT_VERSION, { DSPY_CONNECT_CACHE_DIR: cache }), "bin", "python");
    expect(resolveWorkerCommand(undefined, { DSPY_CONNECT_CACHE_DIR: cache, DSPY_CONNECT_PYTHON: "/env/python" }).source).toBe(
      "DSPY_CONNECT_PYTHON",
    );
    expect(resolveWorkerCommand(undefined, { DSPY_CONNECT_CACHE_DIR: cache })).toEqual({
      argv: [managed],
      source: "managed environment",
    });
    expect(resolveWorkerCommand(undefined, { DSPY_CONNECT_CACHE_DIR: mkdtempSync(join(tmpdir(), "dc-empty-")) })).toEqual({
      argv: ["python3"],
      source: "default",
    });
  });

  it("ignores an environment whose setup did not finish or holds another version", () => {
    expect(resolveWorkerCommand(undefined, { DSPY_CONNECT_CACHE_DIR: cacheWithEnv(CLIENT_VERSION, "0.0.1") }).source).toBe("default");
  });
});
