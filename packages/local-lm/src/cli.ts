#!/usr/bin/env node
// dspy-connect-local-lm serve [--model NAME|PATH] [--port N] [--slots N] ...
// dspy-connect-local-lm prepare [--model NAME]      fetch a model into the cache, print its path
import { parseArgs } from "node:util";
import { LOCAL_MODELS } from "./models/catalogue.js";
import { DEFAULT_LOCAL_MODEL, resolveModel } from "./models/resolve.js";
import { DEFAULT_CONTEXT_SIZE, DEFAULT_SLOTS } from "./server/defaults.js";
import type { PromptFormat } from "./server/prompt.js";
import { serve } from "./server/serve.js";

const USAGE = `usage:
  dspy-connect-local-lm serve [--model NAME|PATH.gguf] [--host 127.0.0.1] [--port 0] [--slots ${DEFAULT_SLOTS}]
                              [--context-size ${DEFAULT_CONTEXT_SIZE}] [--prompt-format template|plain] [--threads N] [--exit-with-stdin]
  dspy-connect-local-lm prepare [--model NAME]
  dspy-connect-local-lm models
models: ${LOCAL_MODELS.map((m) => m.name).join(", ")} (default: $DSPY_CONNECT_LOCAL_MODEL, else ${DEFAULT_LOCAL_MODEL})`;

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      model: { type: "string", default: process.env.DSPY_CONNECT_LOCAL_MODEL },
      host: { type: "string", default: "127.0.0.1" },
      port: { type: "string", default: "0" },
      slots: { type: "string", default: process.env.DSPY_CONNECT_LOCAL_SLOTS || String(DEFAULT_SLOTS) },
      "context-size": { type: "string", default: String(DEFAULT_CONTEXT_SIZE) },
      "prompt-format": { type: "string", default: process.env.DSPY_CONNECT_LOCAL_PROMPT_FORMAT || undefined },
      threads: { type: "string" },
      "exit-with-stdin": { type: "boolean", default: false },
      // Marks the process as this client run's, so a later run can sweep it if orphaned.
      "run-id": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  const command = positionals[0];
  if (values.help || !command) return void console.log(USAGE);
  if (command === "models") {
    for (const m of LOCAL_MODELS) console.log(`${m.name}\t${(m.bytes / 1e6).toFixed(0)} MB\t${m.licence}\t${m.description}`);
    return;
  }
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const model = await resolveModel(values.model, { log });
  if (command === "prepare") return void console.log(model.path);
  if (command !== "serve") throw new Error(`unknown command "${command}"\n${USAGE}`);
  const format = values["prompt-format"];
  if (format !== undefined && format !== "template" && format !== "plain") throw new Error(`--prompt-format must be template or plain`);
  await serve({
    model,
    host: values.host,
    port: positiveInt(values.port, "--port", true),
    slots: positiveInt(values.slots, "--slots"),
    contextSize: positiveInt(values["context-size"], "--context-size"),
    ...(format ? { promptFormat: format as PromptFormat } : {}),
    ...(values.threads ? { threads: positiveInt(values.threads, "--threads") } : {}),
    exitWithStdin: values["exit-with-stdin"],
  });
}

function positiveInt(text: string, flag: string, zeroOk = false): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < (zeroOk ? 0 : 1))
    throw new Error(`${flag} must be a ${zeroOk ? "non-negative" : "positive"} integer, not "${text}"`);
  return n;
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`dspy-connect-local-lm: ${(error as Error).message}\n`);
  process.exit(1);
});
