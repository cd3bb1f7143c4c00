#!/usr/bin/env node
// dspy-connect setup | doctor: get a Python worker that matches this client, and check it.
import { parseArgs } from "node:util";
import { CLIENT_VERSION, WORKER_VERSION } from "../version.js";
import { doctor } from "./doctor.js";
import { setup } from "./setup.js";

const USAGE = `usage:
  dspy-connect setup [--find-links DIR]... [--wheel PATH] [--python VERSION|PATH] [--local-lm [--model NAME]] [--unpinned] [--force]
      Installs dspy-connect-worker ${WORKER_VERSION} into a managed Python environment (with uv)
      that createClient() finds by itself. --local-lm also fetches the embedded LM's model.
  dspy-connect doctor [--json]
      Prints the Python, worker, LM and model cache a client started here would use.
  dspy-connect --version`;

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      "find-links": { type: "string", multiple: true, default: [] },
      wheel: { type: "string" },
      python: { type: "string" },
      "local-lm": { type: "boolean", default: false },
      model: { type: "string" },
      unpinned: { type: "boolean", default: false },
      force: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      version: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.version) {
    console.log(CLIENT_VERSION);
    return 0;
  }
  const command = positionals[0];
  if (values.help || !command) {
    console.log(USAGE);
    return values.help ? 0 : 1;
  }
  if (command === "setup") {
    await setup({
      findLinks: values["find-links"],
      wheel: values.wheel,
      python: values.python,
      localModel: values.model ?? (values["local-lm"] ? true : undefined),
      unpinned: values.unpinned,
      force: values.force,
      log: (line) => console.error(`[dspy-connect] ${line}`),
    });
    return 0;
  }
  if (command === "doctor") {
    const checks = await doctor();
    if (values.json) console.log(JSON.stringify(checks, null, 2));
    else for (const c of checks) console.log(`${c.ok ? "ok " : "!! "} ${c.name.padEnd(12)} ${c.detail}`);
    return checks.every((c) => c.ok) ? 0 : 1;
  }
  throw new Error(`unknown command "${command}"\n${USAGE}`);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`dspy-connect: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
