import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { readEvents } from "@dspy-connect/streaming/web";
import { workerPython } from "@dspy-connect/test-support";
import { build } from "vite";
import { afterAll, expect, it } from "vitest";

// The production entry as `./dev app web` starts it: `node src/server/main.ts` serves the
// Vite build and the API from one Hono server. Real workers; only the LM is scripted.
const root = join(import.meta.dirname, "..");
let server: ChildProcess | undefined;
afterAll(() => {
  server?.kill("SIGKILL");
});

it("serves the built page and streams a run from the production server, and stops on SIGTERM", async () => {
  await build({ configFile: join(root, "vite.config.ts"), logLevel: "warn" });
  server = spawn(process.execPath, ["--no-warnings", join(root, "src", "server", "main.ts")], {
    env: {
      ...process.env,
      PORT: "0",
      DSPY_CONNECT_PYTHON: workerPython,
      DSPY_CONNECT_TEST_PROVIDERS: "1",
      DSPY_CONNECT_LM: "scripted/echo",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  const url = await new Promise<string>((resolve, reject) => {
    server!.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const found = /web app on (http:\/\/\S+) \(lm: scripted\/echo\)/.exec(output);
      if (found) resolve(found[1]!);
    });
    server!.once("exit", (code) => reject(new Error(`the server exited with ${code}: ${output}`)));
  });

  const page = await fetch(url);
  expect(page.headers.get("content-type")).toContain("text/html");
  expect(await page.text()).toContain('<section id="ask"');

  const response = await fetch(`${url}/api/ask`, { method: "POST", body: JSON.stringify({ question: "Why is the sky blue?" }) });
  await expect(readEvents<{ answer: string }>(response).result).resolves.toMatchObject({ answer: "answer: Why is the sky blue?" });

  const invalid = await fetch(`${url}/api/batch`, { method: "POST", body: JSON.stringify({ questions: [] }) });
  expect(invalid.status).toBe(400);

  const exited = once(server, "exit");
  server.kill("SIGTERM");
  expect((await exited)[0]).toBe(0);
});
