import { defineConfig } from "vitest/config";

// Each README program starts its own workers: one at a time, on a small machine.
export default defineConfig({ test: { testTimeout: 180_000, hookTimeout: 180_000, include: ["test/**/*.spec.ts"] } });
