// The web app in development, one command: `./dev web` or
// `pnpm --filter @dspy-connect/example-web dev`. Hono answers /api on a free port; Vite's
// dev server serves the page (with hot reload) and proxies /api to it.
import { join } from "node:path";
import { createServer } from "vite";
import { webApp } from "./app.ts";
import { openCities } from "./cities.ts";
import { serveApp } from "./serve.ts";
import { lm, startClient } from "./start-client.ts";

const client = await startClient();
const db = openCities();
const api = await serveApp(webApp(client, db), 0);
const vite = await createServer({
  configFile: join(import.meta.dirname, "..", "..", "vite.config.ts"),
  server: { port: Number(process.env.PORT ?? 5173), proxy: { "/api": api.url } },
});
await vite.listen();
console.log(`web app (dev) on ${vite.resolvedUrls?.local[0] ?? "?"} (lm: ${lm}; API on ${api.url})`);

async function stop() {
  await vite.close();
  await api.close();
  await client.close();
  db.close();
  process.exit(0);
}
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
