import { join } from "node:path";
import { defineConfig } from "vite";

// The page lives in src/page; its build goes to dist/, which the Hono server serves.
export default defineConfig({
  root: join(import.meta.dirname, "src", "page"),
  build: { outDir: join(import.meta.dirname, "dist"), emptyOutDir: true },
});
