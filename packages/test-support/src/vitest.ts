import { defineConfig } from "vitest/config";

/** The vitest config of packages whose tests start real Python workers. */
export default defineConfig({
  test: {
    include: ["src/**/*.spec.ts", "test/**/*.spec.ts"],
    // Each file starts real Python workers: on 2 cores, files run one at a time.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
