import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { getLlama, LlamaLogLevel } from "node-llama-cpp";
import type { ResolvedModel } from "../models/resolve.js";
import { Engine } from "./engine.js";
import { createHttpServer } from "./http-server.js";
import type { PromptFormat } from "./prompt.js";

export const READY_PREFIX = "DSPY_CONNECT_LM_READY ";

export interface ServeOptions {
  readonly model: ResolvedModel;
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Requests generated at once (llama.cpp sequences); more wait in order. */
  readonly slots: number;
  /** Tokens per slot: prompt and reply together. */
  readonly contextSize: number;
  readonly promptFormat?: PromptFormat;
  /** CPU threads; default: one per math core, less one for the app and its workers. */
  readonly threads?: number;
  /** Exit when stdin closes: the parent that started the server died. */
  readonly exitWithStdin: boolean;
}

/** Loads the model, serves it, and prints one ready line on stdout once it listens. */
export async function serve(options: ServeOptions): Promise<void> {
  const started = performance.now();
  const log = (line: string) => process.stderr.write(`${line}\n`);
  // Prebuilt binaries only: never compile llama.cpp on a user's machine. CPU unless asked.
  const llama = await getLlama({
    build: "never",
    gpu: process.env.DSPY_CONNECT_LOCAL_GPU === "auto" ? "auto" : false,
    logLevel: LlamaLogLevel.error,
    logger: (_level, message) => log(`llama.cpp: ${message}`),
  });
  const model = await llama.loadModel({ modelPath: options.model.path });
  const context = await model.createContext({
    sequences: options.slots,
    contextSize: options.contextSize,
    // Keep the whole KV cache of sliding-window models (Gemma 3), so a shared prompt prefix is reused.
    swaFullCache: true,
    threads: options.threads ?? defaultThreads(llama.cpuMathCores),
  });
  const format = options.promptFormat ?? (options.model.promptFormat === "auto" ? autoFormat(model) : options.model.promptFormat);
  const engine = new Engine(llama, model, context, format);
  const server = createHttpServer(engine, options.model.id, log);
  server.listen(options.port, options.host);
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;

  let exiting = false;
  const exit = () => {
    if (exiting) return;
    exiting = true;
    server.close();
    server.closeAllConnections();
    // llama.cpp's threads must not hold the process open, nor run its teardown under load.
    process.exit(0);
  };
  process.on("SIGTERM", exit);
  process.on("SIGINT", exit);
  if (options.exitWithStdin) {
    process.stdin.on("end", exit).on("close", exit).resume();
  }
  const ready = {
    api_base: `http://${options.host}:${port}/v1`,
    model: options.model.id,
    pid: process.pid,
    slots: engine.slots.size,
    context_size: engine.contextSize,
    prompt_format: engine.promptFormat,
    startup_s: Math.round(performance.now() - started) / 1000,
  };
  process.stdout.write(`${READY_PREFIX}${JSON.stringify(ready)}\n`);
}

function autoFormat(model: { fileInfo: { metadata: { tokenizer?: { chat_template?: unknown } } } }): PromptFormat {
  return model.fileInfo.metadata.tokenizer?.chat_template ? "template" : "plain";
}

/**
 * llama.cpp's threads spin at each step's barrier: when they outnumber the free cores (the
 * app and its Python workers run beside them), one request took 15.6 s instead of 0.35 s on
 * 2 cores. So one core is left to the rest, measured in docs/benchmarks.md ("threads").
 */
function defaultThreads(mathCores: number): number {
  return Math.max(1, mathCores - 1);
}
