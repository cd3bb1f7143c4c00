// Fenced code blocks of a README, for the tests that run them: the artifact smoke test
// (installSection, from an empty folder) and packages/readme-tests (every block).
const HEADING = "## Install in your project";
// A block may be preceded by one annotation line, `<!-- readme-test: typecheck -->`: how the
// README tests treat it (docs/architecture.md, "Tests"). Blocks without a language are text.
const FENCE = /^(?:<!-- readme-test: ([^>]*?) -->\n)?```(\w+)\n([\s\S]*?)^```$/gm;

/** Every fenced block with a language, in order: { lang, code, annotation, line }. */
export function fencedBlocks(markdown) {
  return [...markdown.matchAll(FENCE)].map((match) => {
    const [, annotation, lang, code] = match;
    const line = markdown.slice(0, match.index).split("\n").length + (annotation ? 1 : 0);
    return { lang, code, annotation: annotation?.trim(), line };
  });
}

// Reads README.md's "Install in your project" section: its fenced blocks in order. A `ts`
// block names its file in a first-line comment (`// app.ts`); a `text` block after the last
// command is the output that command must print.
export function installSection(readme) {
  const start = readme.indexOf(`\n${HEADING}\n`);
  if (start < 0) throw new Error(`README.md has no "${HEADING}" section`);
  const rest = readme.slice(start + HEADING.length + 2);
  const end = rest.search(/\n## /);
  const section = end < 0 ? rest : rest.slice(0, end);
  const blocks = [];
  let expectedOutput;
  let n = 0;
  for (const { lang, code } of fencedBlocks(section)) {
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
