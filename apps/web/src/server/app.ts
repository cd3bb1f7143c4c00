import type { DatabaseSync } from "node:sqlite";
import type { DspyClient } from "@dspy-connect/client";
import { streamBatchPredict, streamChainOfThought, streamReact } from "@dspy-connect/streaming";
import { serveStatic } from "@hono/node-server/serve-static";
import { type Context, Hono } from "hono";
import { z } from "zod";
import { cityFacts } from "./cities.ts";
import { explain } from "./explain.ts";

const Question = z.object({ question: z.string().trim().min(1).max(2_000) });
const Questions = z.object({ questions: z.array(z.string().trim().min(1).max(2_000)).min(1).max(50) });

export interface WebAppOptions {
  /** The page's built files (Vite's outDir), served at `/`; none in dev, where Vite serves the page. */
  readonly pageDir?: string;
}

/**
 * The web app's server: one route per panel, each answering with the run as Server-Sent
 * Events (`toSSEResponse`). The request's signal goes to the run, so a browser that stops
 * reading (the Stop button, a closed tab) cancels the Python work.
 */
export function webApp(client: DspyClient, db: DatabaseSync, options: WebAppOptions = {}): Hono {
  const app = new Hono();
  const tools = [cityFacts(db)];

  app.post("/api/ask", async (c) => {
    const body = await input(c, Question);
    if (!body.ok) return body.response;
    const run = streamChainOfThought(client, "question -> answer", { question: body.value.question });
    return run.toSSEResponse({ signal: c.req.raw.signal });
  });

  app.post("/api/agent", async (c) => {
    const body = await input(c, Question);
    if (!body.ok) return body.response;
    const run = streamReact(
      client,
      "question -> answer",
      { question: body.value.question },
      {
        tools,
        maxIters: 2,
        instructions: "Answer from the cities database: call city_facts with the city name, then finish.",
      },
    );
    return run.toSSEResponse({ signal: c.req.raw.signal });
  });

  app.post("/api/pipeline", async (c) => {
    const body = await input(c, Question);
    if (!body.ok) return body.response;
    return explain.run(client, { question: body.value.question }).toSSEResponse({ signal: c.req.raw.signal });
  });

  app.post("/api/batch", async (c) => {
    const body = await input(c, Questions);
    if (!body.ok) return body.response;
    const items = body.value.questions.map((question) => ({ question }));
    return streamBatchPredict(client, "question -> answer", items).toSSEResponse({ signal: c.req.raw.signal });
  });

  if (options.pageDir) app.use("/*", serveStatic({ root: options.pageDir }));
  return app;
}

type Parsed<T> = { ok: true; value: T } | { ok: false; response: Response };

/** The request's JSON body checked against its schema; a 400 with the reason otherwise. */
async function input<T>(c: Context, schema: z.ZodType<T>): Promise<Parsed<T>> {
  const json: unknown = await c.req.json().catch(() => undefined);
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, response: c.json({ error: z.prettifyError(parsed.error) }, 400) };
}
