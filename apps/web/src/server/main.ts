// The web app in production: `./dev app web` (or `pnpm --filter @dspy-connect/example-web start`
// after `vite build`). One Hono server answers the API routes and serves the built page.
import { join } from "node:path";
import { webApp } from "./app.ts";
import { openCities } from "./cities.ts";
import { serveApp } from "./serve.ts";
import { lm, startClient } from "./start-client.ts";

const pageDir = join(import.meta.dirname, "..", "..", "dist");
const client = await startClient();
const db = openCities();
const served = await serveApp(webApp(client, db, { pageDir }), Number(process.env.PORT ?? 3000), process.env.HOST ?? "127.0.0.1");
console.log(`web app on ${served.url} (lm: ${lm})`);

async function stop() {
  await served.close();
  await client.close();
  db.close();
  process.exit(0);
}
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
