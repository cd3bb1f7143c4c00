// The artifact smoke test: what a user installs, installed as a user would.
//  1. pack every published package and build the worker wheel;
//  2. publint --strict and attw on every tarball (only attw's ESM-only finding is accepted);
//  3. in an empty folder outside the workspace, run README.md's "Install in your project"
//     section as written, against a loopback registry that serves our tarballs (and proxies
//     everything else) and with uv finding the wheel (UV_FIND_LINKS): nothing is published;
//  4. typecheck its TypeScript blocks with strict tsc, compare the program's output with the
//     README's, and check that the app has one copy of the client.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startLocalRegistry } from "./local-registry.mjs";
import { installSection } from "./readme-section.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const PUBLISHED = ["core-proto", "client", "streaming", "tools", "composer", "telemetry", "local-lm"];
const keep = process.argv.includes("--keep");

const work = mkdtempSync(join(tmpdir(), "dspy-connect-artifacts-"));
const tarballs = join(work, "tarballs");
const wheels = join(work, "wheels");
const app = join(work, "app");
mkdirSync(app);
let failed = false;

function step(title) {
  console.error(`\n\u001b[1m-- ${title}\u001b[0m`);
}

// Asynchronous: the loopback registry lives in this process and must keep answering.
function run(argv, { timeout = 10 * 60_000, ...options } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ["ignore", "pipe", "pipe"], ...options });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeout);
    child.on("error", (error) => reject(new Error(`${argv.join(" ")}: ${error.message}`)));
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(new Error(`${argv.join(" ")} failed (${signal ?? `exit ${code}`})\n${stdout}\n${stderr}`));
    });
  });
}

try {
  step("pack every published package (prepack builds it) and build the worker wheel");
  for (const name of PUBLISHED) await run(["pnpm", "pack", "--pack-destination", tarballs], { cwd: join(ROOT, "packages", name) });
  await run(["uv", "build", "--wheel", "--quiet", "--out-dir", wheels], { cwd: join(ROOT, "python") });
  const files = readdirSync(tarballs).map((f) => join(tarballs, f));
  console.error([...readdirSync(tarballs), ...readdirSync(wheels)].join("\n"));

  step("publint --strict and attw on every tarball");
  for (const file of files) {
    await run(["pnpm", "exec", "publint", "run", file, "--strict"], { cwd: ROOT });
    // ESM-only packages: CommonJS `require` resolving to ESM is the one accepted finding.
    await run(["pnpm", "exec", "attw", file, "--ignore-rules", "cjs-resolves-to-esm", "--no-definitely-typed", "--format", "ascii"], {
      cwd: ROOT,
    });
    console.error(`ok ${file.split("/").at(-1)}`);
  }

  step(`README.md "Install in your project", as written, in ${app}`);
  const registry = await startLocalRegistry(files);
  try {
    const env = userEnv({ npm_config_registry: registry.url, UV_FIND_LINKS: wheels, DSPY_CONNECT_CACHE_DIR: join(work, "cache") });
    const section = installSection(readFileSync(join(ROOT, "README.md"), "utf8"));
    let lastOutput = "";
    for (const block of section.blocks) {
      if (block.lang === "ts") {
        writeFileSync(join(app, block.file), block.code);
        continue;
      }
      if (block.lang !== "bash") continue;
      console.error(block.code.trim().replace(/^/gm, "$ "));
      lastOutput = await run(["bash", "-euo", "pipefail", "-c", block.code], { cwd: app, env, timeout: 8 * 60_000 });
      process.stderr.write(lastOutput);
    }
    if (section.expectedOutput !== undefined && lastOutput.trim() !== section.expectedOutput.trim()) {
      throw new Error(`the program printed:\n${lastOutput}\nthe README says it prints:\n${section.expectedOutput}`);
    }

    step("one copy of the client in the app; doctor is happy");
    const copies = (await run(["npm", "ls", "@dspy-connect/client", "--all", "--parseable"], { cwd: app, env })).trim().split("\n");
    if (copies.length !== 1) throw new Error(`expected one copy of @dspy-connect/client, found:\n${copies.join("\n")}`);
    process.stderr.write(await run(["npx", "dspy-connect", "doctor"], { cwd: app, env }));

    step("strict tsc over the section's TypeScript");
    await run(["npm", "install", "--no-save", "--silent", "typescript@5.9.3", "@types/node@24.10.1"], { cwd: app, env });
    writeFileSync(
      join(app, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          module: "nodenext",
          target: "es2023",
          skipLibCheck: false,
          allowImportingTsExtensions: true,
          noUncheckedIndexedAccess: true,
          exactOptionalPropertyTypes: true,
        },
        include: section.blocks.filter((b) => b.lang === "ts").map((b) => b.file),
      }),
    );
    await run(["npx", "tsc", "-p", "."], { cwd: app, env });
    console.error(
      `typechecked: ${section.blocks
        .filter((b) => b.lang === "ts")
        .map((b) => b.file)
        .join(", ")}`,
    );
  } finally {
    await registry.close();
  }
  console.error("\nartifact smoke test passed");
} catch (error) {
  failed = true;
  console.error(`\nartifact smoke test FAILED: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  if (keep || failed) console.error(`(kept ${work})`);
  else rmSync(work, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;

/** The environment of a user's shell: no uv and no worker from this repo, no test switches. */
function userEnv(extra) {
  const env = { ...process.env, ...extra, npm_config_update_notifier: "false", npm_config_fund: "false", npm_config_audit: "false" };
  for (const name of ["DSPY_CONNECT_PYTHON", "DSPY_CONNECT_LM", "DSPY_CONNECT_TEST_PROVIDERS", "VIRTUAL_ENV", "npm_config_user_agent"]) {
    delete env[name];
  }
  // Without the repo's uv on PATH, setup fetches its own: the path a machine without uv takes.
  env.PATH = env.PATH.split(delimiter)
    .filter((dir) => !dir.includes(join(".tools", "uv")) && !dir.startsWith(`${ROOT}/node_modules`))
    .join(delimiter);
  return env;
}
