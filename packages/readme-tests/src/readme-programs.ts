// The programs a README's code blocks make, as a reader would save them. Conventions
// (docs/architecture.md, "Tests"): an annotation line right before a fence says how a block
// is tested; `ts` blocks run, `python` blocks are plugin files a worker imports.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fencedBlocks } from "../../../scripts/artifacts/readme-section.mjs";

export type Mode = "run" | "typecheck";

export interface TsProgram {
  /** "README.md:78": where its first block starts. */
  readonly where: string;
  /** The file it is saved as: its `// name.ts` first line, else block-<line>.ts. */
  readonly file: string;
  readonly code: string;
  /** typecheck: needs a hosted model (or a key); `run`: runs on the scripted test LM. */
  readonly mode: Mode;
}

export interface PythonPlugin {
  readonly where: string;
  /** The module name: its `# name.py` first line, else readme_block_<line>. */
  readonly module: string;
  readonly code: string;
}

export interface ReadmePrograms {
  readonly ts: TsProgram[];
  readonly python: PythonPlugin[];
}

const ANNOTATIONS = new Set(["typecheck", "continues"]);

export function readmePrograms(root: string, readme: string): ReadmePrograms {
  const ts: TsProgram[] = [];
  const python: PythonPlugin[] = [];
  for (const block of fencedBlocks(readFileSync(join(root, readme), "utf8"))) {
    const where = `${readme}:${block.line}`;
    if (block.annotation && !ANNOTATIONS.has(block.annotation)) {
      throw new Error(`${where}: unknown annotation "readme-test: ${block.annotation}" (typecheck or continues)`);
    }
    if (block.lang === "python") {
      const module = /^# (\w+)\.py\b/.exec(block.code)?.[1] ?? `readme_block_${block.line}`;
      python.push({ where, module, code: block.code });
    } else if (block.lang === "ts") {
      const previous = ts.at(-1);
      if (block.annotation === "continues") {
        if (!previous) throw new Error(`${where}: "continues" but no TypeScript block comes before it`);
        ts[ts.length - 1] = { ...previous, code: `${previous.code}\n${block.code}` };
        continue;
      }
      const file = /^\/\/ (\S+\.ts)\b/.exec(block.code)?.[1] ?? `block-${block.line}.ts`;
      ts.push({ where, file, code: block.code, mode: block.annotation === "typecheck" ? "typecheck" : "run" });
    }
  }
  return { ts, python };
}
