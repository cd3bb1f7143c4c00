// Every TypeScript and Python block of the READMEs, saved as a reader would save it: the
// Python blocks are plugins a real worker imports, the TypeScript blocks all typecheck, and
// those not marked `typecheck` run with `node` against real workers on the scripted test LM.
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createTestClient } from "@dspy-connect/client/testing";
import { repoRoot, workerPython } from "@dspy-connect/test-support";
import { describe, expect, it } from "vitest";
import { readmePrograms } from "../src/readme-programs.js";

const here = join(import.meta.dirname, "..");
const blocksRoot = join(here, ".blocks");
const readmes = [
  "README.md",
  ...readdirSync(join(repoRoot, "packages"))
    .filter((name) => name !== "readme-tests")
    .map((name) => `packages/${name}/README.md`)
    .filter((path) => spawnSync("test", ["-f", join(repoRoot, path)]).status === 0),
  "python/README.md",
];
// What a user's shell would have for the runnable blocks: the scripted LM stands in for every
// model, so no key, no model server and deterministic answers.
const env = {
  ...process.env,
  DSPY_CONNECT_PYTHON: workerPython,
  DSPY_CONNECT_TEST_PROVIDERS: "1",
  DSPY_CONNECT_LM: "scripted/echo",
  NODE_NO_WARNINGS: "1",
};

rmSync(blocksRoot, { recursive: true, force: true });
const saved = readmes.map((readme) => {
  const dir = join(blocksRoot, readme.replace(/\.md$/, "").replaceAll("/", "_"));
  mkdirSync(dir, { recursive: true });
  const programs = readmePrograms(repoRoot, readme);
  for (const p of programs.python) writeFileSync(join(dir, `${p.module}.py`), p.code);
  for (const p of programs.ts) writeFileSync(join(dir, p.file), p.code);
  return { readme, dir, ...programs };
});
writeFileSync(
  join(blocksRoot, "tsconfig.json"),
  JSON.stringify({
    extends: "../../../tsconfig.base.json",
    compilerOptions: { noEmit: true, allowImportingTsExtensions: true, declaration: false, declarationMap: false },
    include: ["**/*.ts"],
  }),
);

function output(result: ReturnType<typeof spawnSync>): string {
  return `${result.stdout}${result.stderr}`.trim();
}

it("every TypeScript block typechecks", () => {
  const tsc = join(here, "node_modules", "typescript", "bin", "tsc");
  const result = spawnSync(process.execPath, [tsc, "-p", join(blocksRoot, "tsconfig.json")], { encoding: "utf8" });
  expect(output(result), "tsc").toBe("");
  expect(result.status).toBe(0);
});

for (const { readme, dir, ts, python } of saved) {
  describe(readme, () => {
    for (const plugin of python) {
      it(`${plugin.where}: ${plugin.module}.py loads in a worker`, async () => {
        // Rejects with FailedPrecondition, naming the module, if it does not import.
        const client = await createTestClient({ python: workerPython, imports: [plugin.module], pythonPath: [dir], logger: {} });
        await client.close();
      });
    }
    for (const program of ts.filter((p) => p.mode === "run")) {
      it(`${program.where}: ${program.file} runs`, () => {
        // A test file runs under vitest, everything else as `node file.ts`. The working
        // directory holds the README's Python blocks, so `imports` finds them by default.
        const args = program.file.endsWith(".test.ts")
          ? [join(here, "node_modules", "vitest", "vitest.mjs"), "run", "--root", dir, program.file]
          : [program.file];
        const result = spawnSync(process.execPath, args, { cwd: dir, env, encoding: "utf8", timeout: 150_000 });
        expect(result.status, output(result)).toBe(0);
      });
    }
  });
}
