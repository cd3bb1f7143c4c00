import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { READY_PREFIX, resolveModel, serverEntry } from "@dspy-connect/local-lm";
import { expect, it } from "vitest";

it("serves any GGUF file given by path, on its own chat template when it has one", async () => {
  const { path } = await resolveModel("smollm2-135m-instruct");
  const server = spawn(process.execPath, [serverEntry, "serve", "--model", path, "--slots", "1", "--exit-with-stdin"], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  try {
    let ready: { model: string; prompt_format: string; api_base: string } | undefined;
    for await (const line of createInterface({ input: server.stdout! })) {
      if (line.startsWith(READY_PREFIX)) {
        ready = JSON.parse(line.slice(READY_PREFIX.length));
        break;
      }
    }
    expect(ready).toMatchObject({ model: "SmolLM2-135M-Instruct.Q4_1", prompt_format: "template" });
    const models = (await (await fetch(`${ready!.api_base}/models`)).json()) as { data: { id: string }[] };
    expect(models.data[0]!.id).toBe("SmolLM2-135M-Instruct.Q4_1");
  } finally {
    server.stdin!.end();
  }
}, 120_000);

it("names the known models when given neither a known name nor a .gguf path", async () => {
  await expect(resolveModel("gpt-5")).rejects.toThrow(
    'local model "gpt-5" is neither a known model (gemma-3-270m, smollm2-135m-instruct) nor a path to a .gguf file',
  );
});
