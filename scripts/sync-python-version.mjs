#!/usr/bin/env node
// The Python worker is released with the npm packages, under their version. Run by
// `pnpm version-packages` after `changeset version`:
//   node scripts/sync-python-version.mjs [--check] [ROOT]
// It reads the version of the changesets `fixed` group (failing if its packages disagree),
// writes it to dspy_connect.__version__ (the wheel's one version source) and to the worker
// image's tag in deploy/kubernetes, and adds the release's entries from the packages'
// CHANGELOG.md files to python/CHANGELOG.md.
// --check changes nothing and fails if the worker's version or the image tag differs.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const VERSION_FILE = "python/src/dspy_connect/__init__.py";
export const PYTHON_CHANGELOG = "python/CHANGELOG.md";
const VERSION_LINE = /^__version__ = "([^"]*)"$/gm;
const CHANGELOG_TITLE =
  "# dspy-connect-worker\n\nThe worker is released with the `@dspy-connect/*` npm packages, under the same version. " +
  "Each entry lists the changes of that release, from the packages' changelogs.\n";

/** The one version of the fixed group's packages (all in packages/*). */
export function fixedGroupVersion(root) {
  const config = JSON.parse(readFileSync(path.join(root, ".changeset/config.json"), "utf8"));
  if (config.fixed?.length !== 1) throw new Error(".changeset/config.json must have exactly one `fixed` group: the released packages");
  const [group] = config.fixed;
  const manifests = new Map();
  for (const dir of readdirSync(path.join(root, "packages"))) {
    const file = path.join(root, "packages", dir, "package.json");
    if (!existsSync(file)) continue;
    const manifest = JSON.parse(readFileSync(file, "utf8"));
    manifests.set(manifest.name, { dir: path.dirname(file), version: manifest.version });
  }
  const packages = group.map((name) => {
    const found = manifests.get(name);
    if (!found) throw new Error(`${name} is in the fixed group but no packages/*/package.json has that name`);
    return { name, ...found };
  });
  const versions = new Set(packages.map((p) => p.version));
  if (versions.size !== 1) {
    throw new Error(`the fixed group's packages disagree on the version: ${packages.map((p) => `${p.name}@${p.version}`).join(", ")}`);
  }
  return { version: packages[0].version, packages };
}

/** The PEP 440 form of an npm version: 1.2.0 as is, 1.2.0-beta.3 as 1.2.0b3 (changesets pre mode). */
export function pythonVersion(npmVersion) {
  const match = /^(\d+\.\d+\.\d+)(?:-(alpha|beta|rc)\.(\d+))?$/.exec(npmVersion);
  if (!match) {
    throw new Error(`npm version ${npmVersion} has no PyPI form: the worker takes X.Y.Z or X.Y.Z-(alpha|beta|rc).N`);
  }
  const [, release, pre, number] = match;
  return pre ? `${release}${{ alpha: "a", beta: "b", rc: "rc" }[pre]}${number}` : release;
}

export function readWorkerVersion(root) {
  const matches = [...readFileSync(path.join(root, VERSION_FILE), "utf8").matchAll(VERSION_LINE)];
  if (matches.length !== 1) throw new Error(`${VERSION_FILE} must hold exactly one __version__ = "..." line`);
  return matches[0][1];
}

function writeWorkerVersion(root, version) {
  readWorkerVersion(root); // the line is there, once
  const file = path.join(root, VERSION_FILE);
  writeFileSync(file, readFileSync(file, "utf8").replace(VERSION_LINE, `__version__ = "${version}"`));
}

// The Kubernetes manifests name the worker image by the release's version.
export const IMAGE_TAG_FILES = {
  "deploy/kubernetes/deployment.yaml": /(image: dspy-connect-worker:)(\S+)/g,
  "deploy/kubernetes/kustomization.yaml": /(newTag: )(\S+)/g,
};

/** The image tags the manifests hold, one per match. */
export function readImageTags(root) {
  return Object.entries(IMAGE_TAG_FILES).flatMap(([file, pattern]) => {
    const tags = [...readFileSync(path.join(root, file), "utf8").matchAll(pattern)].map((m) => m[2]);
    if (tags.length !== 1) throw new Error(`${file} must name the dspy-connect-worker image's tag exactly once`);
    return tags;
  });
}

function writeImageTags(root, version) {
  readImageTags(root); // each is there, once
  for (const [file, pattern] of Object.entries(IMAGE_TAG_FILES)) {
    const full = path.join(root, file);
    writeFileSync(full, readFileSync(full, "utf8").replace(pattern, `$1${version}`));
  }
}

/** The entries of one version in a changesets CHANGELOG.md: heading ("### Minor Changes") -> bullets. */
export function releaseEntries(changelog, version) {
  const lines = changelog.split("\n");
  const start = lines.indexOf(`## ${version}`);
  const entries = new Map();
  if (start < 0) return entries;
  let heading = "";
  let bullet = null;
  const close = () => {
    // Dependency bullets ("Updated dependencies", a bare "- @scope/name@1.2.3") only restate
    // the fixed group's versions.
    if (bullet && !/^- (?:(?:[0-9a-f]{7}: )?Updated dependencies|@?[\w./-]+@\d\S*$)/.test(bullet[0])) {
      const text = bullet.join("\n").trimEnd();
      if (!entries.has(heading)) entries.set(heading, []);
      if (!entries.get(heading).includes(text)) entries.get(heading).push(text);
    }
    bullet = null;
  };
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith("## ")) break;
    if (line.startsWith("### ")) {
      close();
      heading = line;
    } else if (line.startsWith("- ")) {
      close();
      bullet = [line];
    } else if (bullet && (line.startsWith("  ") || line === "")) {
      bullet.push(line);
    }
  }
  close();
  return entries;
}

function writePythonChangelog(root, version, packages) {
  const merged = new Map();
  for (const pkg of packages) {
    const file = path.join(pkg.dir, "CHANGELOG.md");
    if (!existsSync(file)) continue;
    for (const [heading, bullets] of releaseEntries(readFileSync(file, "utf8"), version)) {
      const seen = merged.get(heading) ?? [];
      merged.set(heading, [...seen, ...bullets.filter((b) => !seen.includes(b))]);
    }
  }
  const file = path.join(root, PYTHON_CHANGELOG);
  const current = existsSync(file) ? readFileSync(file, "utf8") : CHANGELOG_TITLE;
  const heading = `## ${pythonVersion(version)}`;
  if (current.split("\n").includes(heading)) return false; // written by an earlier run
  const sections = [...merged].map(([kind, bullets]) => `${kind}\n\n${bullets.join("\n")}`);
  const entry = `${heading}\n\n${sections.length ? sections.join("\n\n") : "No changes of its own: released with the npm packages."}\n`;
  const titleEnd = current.indexOf("\n## ");
  const [title, rest] = titleEnd < 0 ? [current.trimEnd(), ""] : [current.slice(0, titleEnd).trimEnd(), current.slice(titleEnd + 1)];
  writeFileSync(file, `${title}\n\n${entry}${rest ? `\n${rest}` : ""}`);
  return true;
}

export function syncPythonVersion(root, { check = false } = {}) {
  const { version, packages } = fixedGroupVersion(root);
  const wanted = pythonVersion(version);
  const current = readWorkerVersion(root);
  if (check) {
    if (current !== wanted) throw new Error(`the worker is at ${current} but the npm packages at ${version}: run pnpm version-packages`);
    const stale = readImageTags(root).filter((tag) => tag !== wanted);
    if (stale.length) throw new Error(`deploy/kubernetes names the worker image ${stale[0]}, not ${wanted}: run pnpm version-packages`);
    return `the worker, its image tag and the ${packages.length} npm packages are at ${version}`;
  }
  writeWorkerVersion(root, wanted);
  writeImageTags(root, wanted);
  const logged = writePythonChangelog(root, version, packages);
  const moved = current === wanted ? `the worker stays at ${wanted}` : `the worker ${current} -> ${wanted}`;
  return `${moved} (the ${packages.length} npm packages' version)${logged ? `; ${PYTHON_CHANGELOG} updated` : ""}`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const check = args.includes("--check");
  const root = path.resolve(args.find((a) => a !== "--check") ?? path.join(path.dirname(fileURLToPath(import.meta.url)), ".."));
  try {
    console.log(`sync-python-version: ${syncPythonVersion(root, { check })}`);
  } catch (error) {
    console.error(`sync-python-version: ${error.message}`);
    process.exit(1);
  }
}
