import { statSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { DatabaseSync } from "node:sqlite";
import type { DspyClient } from "@dspy-connect/client";
import { startClient, waitFor } from "@dspy-connect/test-support";
import { type Browser, chromium, type Page } from "playwright-core";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { webApp } from "../src/server/app.ts";
import { openCities } from "../src/server/cities.ts";
import { type Served, serveApp } from "../src/server/serve.ts";
import { chromiumArgs, chromiumPath } from "./chromium.ts";
import { recordFrames } from "./page-recorder.ts";

// The app as a user meets it: the Vite build served by the app's Hono server, real workers
// (only the LM is scripted: 60 ms between chunks, so a stream is slow enough to watch),
// and the page driven in real Chromium (Debian's, through playwright-core; never downloaded).
const root = join(import.meta.dirname, "..");
const artifacts = join(root, "test-results");
const longQuestion = Array.from({ length: 80 }, (_, i) => `word${i}`).join(" ");

describe.skipIf(!chromiumPath)("apps/web in Chromium", () => {
  let client: DspyClient;
  let db: DatabaseSync;
  let served: Served;
  let browser: Browser;
  let page: Page;
  const describeWorker = async () => (await client.describe())[0]!;

  beforeAll(async () => {
    await build({ configFile: join(root, "vite.config.ts"), logLevel: "warn" });
    client = await startClient({ workers: 1, lm: "scripted/tokens-60" });
    db = openCities();
    served = await serveApp(webApp(client, db, { pageDir: join(root, "dist") }), 0);
    browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(served.url);
    await page.waitForSelector("body[data-ready=true]");
  });
  afterAll(async () => {
    await browser?.close();
    await served?.close();
    await client?.close();
    db?.close();
  });

  const finished = (panel: string) =>
    page.waitForFunction((id) => ["done", "stopped", "error"].includes(document.getElementById(id)!.dataset.state!), panel);

  it("shows the answer token by token: the text grows in rendered frames before the run is done", async () => {
    const question = "Why is the sky blue on a clear day?";
    await page.fill("#ask-question", question);
    const frames = await recordFrames(page, "ask", "#ask-reasoning, #ask-answer");
    await page.click("#ask-run");
    await finished("ask");
    expect(await page.getAttribute("#ask", "data-state")).toBe("done");
    expect(await page.textContent("#ask-reasoning")).toBe(`Step by step: ${question}`);
    expect(await page.textContent("#ask-answer")).toBe(`answer: ${question}`);
    // Partial text seen while running: each frame longer than the one before.
    const partial = (await frames()).filter((f) => f.state === "running" && f.text !== "|");
    const growing = partial.filter((f, i) => i === 0 || f.text.length > partial[i - 1]!.text.length);
    expect(growing.length).toBeGreaterThanOrEqual(3); // empty -> grew -> grew again, before done
    expect(growing[0]!.text.length).toBeLessThan(`Step by step: ${question}`.length);
  });

  it("Stop ends the run and the worker cancels it: no run in flight", async () => {
    const before = await describeWorker();
    await page.fill("#ask-question", longQuestion); // about 10 s of tokens at 60 ms each
    await page.click("#ask-run");
    await page.waitForFunction(() => (document.getElementById("ask-reasoning")!.textContent ?? "").length > 20);
    await page.click("#ask-stop");
    await finished("ask");
    expect(await page.getAttribute("#ask", "data-state")).toBe("stopped");
    expect(await page.textContent("#ask-status")).toBe("stopped");
    expect((await page.textContent("#ask-reasoning"))!.length).toBeLessThan(`Step by step: ${longQuestion}`.length);
    // The worker's own account: the run was cancelled and nothing is in flight.
    await waitFor(async () => {
      const now = await describeWorker();
      return now.activeRuns === 0 && now.busyThreads === 0 && now.runsCancelled > before.runsCancelled;
    }, 5_000);
  });

  it("renders the agent's steps live and in order: thought, tool call, tool output, observation, answer", async () => {
    const frames = await recordFrames(page, "agent", "#agent-steps li");
    await page.click("#agent-run"); // "How many people live in Lyon?"
    await finished("agent");
    expect(await page.getAttribute("#agent", "data-state")).toBe("done");
    const steps = await page.$$eval("#agent-steps li", (lis) => lis.map((li) => ({ kind: li.dataset.kind, text: li.textContent })));
    // The scripted LM calls the agent's first tool once, then finishes.
    expect(steps.slice(0, 4)).toEqual([
      { kind: "thought", text: "next_thought: How many people live in Lyon?" },
      { kind: "tool_start", text: 'city_facts({"city":"next_tool_args: How many people live in Lyon?"})' },
      { kind: "tool_output", text: "Lyon is a city in France with 522,250 inhabitants." },
      { kind: "observation", text: '"Lyon is a city in France with 522,250 inhabitants."' },
    ]);
    expect(steps.at(-1)).toEqual({ kind: "answer", text: "answer: How many people live in Lyon?" });
    // Live: the tool call was on screen while the agent was still running.
    const shown = await frames();
    expect(shown.some((f) => f.state === "running" && f.text.includes("city_facts") && !f.text.includes("answer: How many"))).toBe(true);
  });

  it("shows the pipeline's steps complete, and the batch's progress bar fill", async () => {
    await page.fill("#pipeline-question", "one two");
    await page.click("#pipeline-run");
    await page.click("#batch-run");
    await finished("pipeline");
    await finished("batch");
    expect(await page.getAttribute("#pipeline", "data-state")).toBe("done");
    const rows = await page.$$eval("#pipeline-steps li", (lis) => lis.map((li) => [li.dataset.path, li.dataset.status]));
    expect(rows).toEqual(
      expect.arrayContaining([
        ["think", "done"],
        ["length", "done"],
        ["rewrite", "done"],
      ]),
    );
    expect(rows.every(([, status]) => status === "done")).toBe(true);
    expect(await page.getAttribute("#batch", "data-state")).toBe("done");
    expect(await page.$eval("#batch-progress", (p) => [(p as HTMLProgressElement).value, (p as HTMLProgressElement).max])).toEqual([4, 4]);
    expect(await page.$$eval("#batch-items li", (lis) => lis.length)).toBe(4);
  });

  it("saves a screenshot of the page as a test artifact", async () => {
    await mkdir(artifacts, { recursive: true });
    const path = join(artifacts, "web-app.png");
    await page.screenshot({ path, fullPage: true });
    expect(statSync(path).size).toBeGreaterThan(10_000);
    console.log(`screenshot: ${path}`);
  });
});
