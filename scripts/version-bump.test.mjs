// A real release version bump, on a temporary copy of the repository's release files: a
// changeset, `pnpm version-packages` (the same command as a release), then what moved.
// Offline: pnpm installs the copy from its store, changesets needs no network. Run by
// `./dev test`: node --test scripts/version-bump.test.mjs
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import {
  fixedGroupVersion,
  IMAGE_TAG_FILES,
  PYTHON_CHANGELOG,
  pythonVersion,
  readImageTags,
  readWorkerVersion,
  VERSION_FILE,
} from "./sync-python-version.mjs";

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const FIXED = JSON.parse(readFileSync(path.join(ROOT, ".changeset/config.json"), "utf8")).fixed[0];
const copy = mkdtempSync(path.join(tmpdir(), "dspy-connect-version-bump-"));

function run(argv, cwd = copy) {
  const result = spawnSync(argv[0], argv.slice(1), { cwd, encoding: "utf8" });
  assert.equal(result.status, 0, `${argv.join(" ")} failed:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

function manifest(dir) {
  return JSON.parse(readFileSync(path.join(copy, "packages", dir, "package.json"), "utf8"));
}

function addChangeset(name, bump, summary) {
  writeFileSync(path.join(copy, ".changeset", `${name}.md`), `---\n"${bump[0]}": ${bump[1]}\n---\n\n${summary}\n`);
}

function bumpedVersion(version, kind) {
  const [major, minor, patch] = version.split(".").map(Number);
  return kind === "minor" ? `${major}.${minor + 1}.0` : `${major}.${minor}.${patch + 1}`;
}

before(() => {
  // What changesets, pnpm and the sync script read; not the pending changesets, so the bump
  // is the one this test adds.
  const files = ["package.json", "pnpm-workspace.yaml", "pnpm-lock.yaml", "biome.jsonc", "scripts/sync-python-version.mjs", VERSION_FILE];
  files.push(".changeset/config.json", ".changeset/README.md", "python/pyproject.toml", "python/README.md", "python/LICENSE");
  for (const dir of readdirSync(path.join(ROOT, "packages"))) files.push(`packages/${dir}/package.json`);
  if (existsSync(path.join(ROOT, PYTHON_CHANGELOG))) files.push(PYTHON_CHANGELOG);
  files.push(...Object.keys(IMAGE_TAG_FILES));
  for (const file of files) cpSync(path.join(ROOT, file), path.join(copy, file));
  cpSync(path.join(ROOT, "python/src"), path.join(copy, "python/src"), { recursive: true, filter: (f) => !f.includes("__pycache__") });
  const store = execFileSync("pnpm", ["store", "path"], { cwd: ROOT, encoding: "utf8" }).trim();
  run(["pnpm", "install", "--offline", "--ignore-scripts", "--no-frozen-lockfile", "--reporter=silent", `--store-dir=${store}`]);
});

after(() => rmSync(copy, { recursive: true, force: true }));

test("the PyPI form of npm versions", () => {
  assert.equal(pythonVersion("0.2.0"), "0.2.0");
  assert.equal(pythonVersion("1.0.0-beta.3"), "1.0.0b3");
  assert.equal(pythonVersion("1.0.0-rc.0"), "1.0.0rc0");
  assert.throws(() => pythonVersion("0.0.0-snapshot-20261201"), /has no PyPI form/);
});

test("a version bump moves every package and the worker together", () => {
  const before = fixedGroupVersion(copy).version;
  assert.equal(readWorkerVersion(copy), pythonVersion(before), "the repository starts in sync");
  assert.deepEqual(readImageTags(copy), [pythonVersion(before), pythonVersion(before)], "so do the manifests' image tags");

  addChangeset("tools-minor", ["@dspy-connect/tools", "minor"], "Tools gain a feature (version-bump test).");
  run(["pnpm", "version-packages"]);
  const minor = bumpedVersion(before, "minor");
  assertReleased(minor, "Tools gain a feature (version-bump test).");

  // A second release: a patch of another package; the worker's changelog keeps both entries.
  addChangeset("client-patch", ["@dspy-connect/client", "patch"], "The client fixes a bug (version-bump test).");
  run(["pnpm", "version-packages"]);
  const patch = bumpedVersion(minor, "patch");
  assertReleased(patch, "The client fixes a bug (version-bump test).");
  const pythonLog = readFileSync(path.join(copy, PYTHON_CHANGELOG), "utf8");
  assert.ok(pythonLog.indexOf(`## ${patch}`) < pythonLog.indexOf(`## ${minor}`), "newest release first");
  assert.equal(pythonLog.split("Tools gain a feature").length, 2, "each change once, though every package logs it");
  assert.doesNotMatch(pythonLog, /Updated dependencies|^\s*- @dspy-connect\//m, "dependency bumps are not changes");

  run(["node", "scripts/sync-python-version.mjs", "--check"]);
  run(["pnpm", "exec", "biome", "ci", "--vcs-enabled=false", "packages", "package.json"]);
});

test("the sync fails when the fixed group's packages disagree", () => {
  const file = path.join(copy, "packages/telemetry/package.json");
  const original = readFileSync(file, "utf8");
  const workerBefore = readWorkerVersion(copy);
  writeFileSync(file, original.replace(/"version": "[^"]*"/, '"version": "9.9.9"'));
  try {
    const result = spawnSync("node", ["scripts/sync-python-version.mjs"], { cwd: copy, encoding: "utf8" });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /disagree on the version: .*@dspy-connect\/telemetry@9\.9\.9/);
    assert.equal(readWorkerVersion(copy), workerBefore, "the worker's version is left alone");
  } finally {
    writeFileSync(file, original);
  }
});

function assertReleased(version, summary) {
  const dirs = readdirSync(path.join(copy, "packages"));
  const byName = new Map(dirs.map((dir) => [manifest(dir).name, dir]));
  for (const name of FIXED) {
    const dir = byName.get(name);
    assert.equal(manifest(dir).version, version, name);
    const changelog = readFileSync(path.join(copy, "packages", dir, "CHANGELOG.md"), "utf8");
    assert.match(changelog, new RegExp(`^## ${version.replaceAll(".", "\\.")}$`, "m"), `${name}'s CHANGELOG.md`);
  }
  for (const dir of dirs.filter((d) => manifest(d).private)) {
    assert.equal(manifest(dir).version, JSON.parse(readFileSync(path.join(ROOT, "packages", dir, "package.json"), "utf8")).version);
  }

  // The worker: its one version source, its changelog, and the wheel built from the copy.
  assert.equal(readWorkerVersion(copy), pythonVersion(version));
  assert.deepEqual(readImageTags(copy), [pythonVersion(version), pythonVersion(version)], "the Kubernetes manifests' image tag");
  assert.doesNotMatch(readFileSync(path.join(copy, "python/pyproject.toml"), "utf8"), /^version\s*=/m);
  const pythonLog = readFileSync(path.join(copy, PYTHON_CHANGELOG), "utf8");
  assert.ok(pythonLog.includes(`## ${pythonVersion(version)}\n`) && pythonLog.includes(summary), pythonLog);
  const wheels = path.join(copy, "wheels", version);
  run(["uv", "build", "--wheel", "--offline", "--quiet", "--out-dir", wheels], path.join(copy, "python"));
  const built = readdirSync(wheels).filter((f) => f.endsWith(".whl"));
  assert.deepEqual(built, [`dspy_connect_worker-${pythonVersion(version)}-py3-none-any.whl`]);

  // What npm gets: pnpm turns workspace: ranges into ranges of the new version at pack time.
  const packs = path.join(copy, "packs", version);
  mkdirSync(packs, { recursive: true });
  const filters = FIXED.flatMap((name) => ["--filter", name]);
  run(["pnpm", "-r", ...filters, "pack", "--config.ignore-scripts=true", "--pack-destination", packs]);
  for (const tarball of readdirSync(packs)) {
    const packed = JSON.parse(execFileSync("tar", ["-xzOf", path.join(packs, tarball), "package/package.json"], { encoding: "utf8" }));
    assert.equal(packed.version, version, tarball);
    for (const field of ["dependencies", "peerDependencies", "optionalDependencies"]) {
      for (const [dep, range] of Object.entries(packed[field] ?? {})) {
        if (!FIXED.includes(dep)) continue;
        assert.match(range, new RegExp(`^[~^]?${version.replaceAll(".", "\\.")}$`), `${packed.name} ${field}.${dep}`);
      }
    }
  }
  assert.equal(readdirSync(packs).length, FIXED.length);
  assert.ok(!existsSync(path.join(copy, ".changeset", "tools-minor.md")), "changesets are consumed");
}
