import { defineConfig } from "vitest/config";

// One lab of namespaces at a time; it starts five real workers on a small machine.
export default defineConfig({ test: { include: ["test/**/*.spec.ts"], testTimeout: 60_000, hookTimeout: 90_000 } });
