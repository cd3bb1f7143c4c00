import { builtinModules } from "node:module";
import { join } from "node:path";
import { build, type Rollup } from "vite";
import { describe, expect, it } from "vitest";

// What a page gets when it imports @dspy-connect/streaming/web: bundled for the browser as
// Vite builds a page, every module the bundler reached is recorded.
async function bundleWebEntry(): Promise<{ modules: string[]; externals: string[]; code: string }> {
  const modules = new Set<string>();
  const externals = new Set<string>();
  const output = (await build({
    configFile: false,
    logLevel: "silent",
    root: join(import.meta.dirname, ".."),
    build: {
      write: false,
      minify: true,
      target: "es2023",
      lib: { entry: join(import.meta.dirname, "..", "src", "web.ts"), formats: ["es"], fileName: "web" },
      rollupOptions: { treeshake: true },
    },
    plugins: [
      {
        name: "record-modules",
        enforce: "pre",
        moduleParsed: (info: Rollup.ModuleInfo) => void modules.add(info.id),
        resolveId: (id: string) => {
          if (id.startsWith("node:") || builtinModules.includes(id)) externals.add(id);
          return null;
        },
      },
    ],
  })) as Rollup.RollupOutput[];
  const chunks = output.flatMap((o) => o.output).filter((c): c is Rollup.OutputChunk => c.type === "chunk");
  return { modules: [...modules], externals: [...externals], code: chunks.map((c) => c.code).join("\n") };
}

describe("the /web entry in a browser bundle", () => {
  it("has no Node import and nothing of the client, connect or the protobuf code", async () => {
    const { modules, externals, code } = await bundleWebEntry();
    expect(externals).toEqual([]);
    expect(modules.some((id) => id.includes("eventsource-parser"))).toBe(true);
    const forbidden = modules.filter((id) => /@dspy-connect[/+]client|@connectrpc|@bufbuild|core-proto|node-llama/.test(id));
    expect(forbidden).toEqual([]);
    // The server half of this package stays out too.
    expect(modules.filter((id) => /src\/(sse|operations)\/|run-stream|run-events|target\.ts/.test(id))).toEqual([]);
    expect(code).not.toMatch(/from\s*["']node:|require\(/);
    console.info(`@dspy-connect/streaming/web: ${modules.length} modules, ${code.length} bytes minified`);
  });
});
