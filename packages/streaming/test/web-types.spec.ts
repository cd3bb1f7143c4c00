import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";

// A page's own TypeScript, as a Vite app sets it up: DOM libs, no Node types, bundler
// resolution through the package's exports map. It must get the same discriminated union.
const app = mkdtempSync(join(tmpdir(), "dspy-connect-web-types-"));
afterAll(() => rmSync(app, { recursive: true, force: true }));

const page = `
import { fetchStream, readEvents, RunError, type StreamEvent } from "@dspy-connect/streaming/web";

const run = fetchStream<{ answer: string }>("/api/ask", { method: "POST", body: "{}" });
for await (const event of run) {
  if (event.type === "token") document.body.append(event.field, event.delta);
  if (event.type === "step_complete") console.log(event.path, event.output, event.durationMs);
  if (event.type === "done") console.log(event.result.answer.toUpperCase(), event.usage.totalTokens);
  if (event.type === "error") console.log(event.code, event.cause, event.path);
}
run.result.catch((error: unknown) => error instanceof RunError && error.code === 1);
const same: AsyncIterable<StreamEvent<number>> = readEvents<number>(new Response(""));
// @ts-expect-error: not an event type
const wrong: StreamEvent["type"] = "tokens";
export { same, wrong };
`;

it("typechecks in a browser project with no Node types", () => {
  mkdirSync(join(app, "node_modules", "@dspy-connect"), { recursive: true });
  symlinkSync(join(import.meta.dirname, ".."), join(app, "node_modules", "@dspy-connect", "streaming"));
  writeFileSync(join(app, "page.ts"), page);
  writeFileSync(
    join(app, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        lib: ["ES2023", "DOM", "DOM.Iterable"],
        module: "ESNext",
        moduleResolution: "bundler",
        types: [],
        strict: true,
        noEmit: true,
        // As Vite's templates set it: the union's Usage and ToolErrorKind are types of
        // @dspy-connect/client, whose other declarations name Node types.
        skipLibCheck: true,
        isolatedModules: true,
      },
      files: ["page.ts"],
    }),
  );
  const tsc = join(import.meta.dirname, "..", "node_modules", "typescript", "bin", "tsc");
  const result = spawnSync(process.execPath, [tsc, "-p", app], { encoding: "utf8" });
  expect(`${result.stdout}${result.stderr}`.trim()).toBe("");
  expect(result.status).toBe(0);
});
