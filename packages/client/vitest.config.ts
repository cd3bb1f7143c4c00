import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.spec.ts", "test/**/*.spec.ts"],
    // Each file starts real Python workers (~2.5 s of CPU each): on 2 cores, files run one at a time.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    typecheck: { enabled: true, include: ["src/**/*.spec.ts"] },
  },
});
