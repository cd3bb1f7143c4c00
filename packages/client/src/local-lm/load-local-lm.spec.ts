import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Code } from "../errors.js";
import { localLmServerEntry } from "./load-local-lm.js";

describe("finding @dspy-connect/local-lm", () => {
  it("resolves the installed package's server entry", async () => {
    const entry = await localLmServerEntry();
    expect(entry).toMatch(/local-lm\/dist\/cli\.js$/);
    expect(existsSync(entry)).toBe(true);
  });

  it("says what to install when the package is missing", async () => {
    const missing = Object.assign(new Error("Cannot find package '@dspy-connect/local-lm'"), { code: "ERR_MODULE_NOT_FOUND" });
    await expect(localLmServerEntry(() => Promise.reject(missing))).rejects.toMatchObject({
      code: Code.FailedPrecondition,
      rawMessage: expect.stringContaining("npm install @dspy-connect/local-lm"),
    });
  });

  it("lets other load errors through", async () => {
    await expect(localLmServerEntry(() => Promise.reject(new SyntaxError("bad build")))).rejects.toThrow("bad build");
  });
});
