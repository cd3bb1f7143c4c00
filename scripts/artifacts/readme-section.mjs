// Reads README.md's "Install in your project" section: its fenced blocks in order. A `ts`
// block names its file in a first-line comment (`// app.ts`); a `text` block after the last
// command is the output that command must print.
const HEADING = "## Install in your project";

export function installSection(readme) {
  const start = readme.indexOf(`\n${HEADING}\n`);
  if (start < 0) throw new Error(`README.md has no "${HEADING}" section`);
  const rest = readme.slice(start + HEADING.length + 2);
  const end = rest.search(/\n## /);
  const section = end < 0 ? rest : rest.slice(0, end);
  const blocks = [];
  let expectedOutput;
  let n = 0;
  for (const match of section.matchAll(/^```(\w+)\n([\s\S]*?)^```$/gm)) {
    const [, lang, code] = match;
    if (lang === "text") {
      expectedOutput = code;
      continue;
    }
    const file = lang === "ts" ? (/^\/\/ (\S+\.ts)\b/.exec(code)?.[1] ?? `block-${++n}.ts`) : undefined;
    blocks.push({ lang, code, file });
  }
  if (!blocks.some((b) => b.lang === "bash")) throw new Error(`"${HEADING}" has no bash block`);
  return { blocks, expectedOutput };
}
