import { describe, expect, it } from "vitest";
import { CLIENT_VERSION, Code } from "../src/index.js";
import { python, quietLogger, startClient } from "./helpers.js";

describe("the worker command", () => {
  it("may be a command with arguments", async () => {
    const client = await startClient({ workers: 1, python: [python, "-X", "utf8"] });
    try {
      await expect(client.predict("q -> a", { q: "hi" })).resolves.toEqual({ a: "a: hi" });
    } finally {
      await client.close();
    }
  });

  it("names the setup command when the program does not exist", async () => {
    const error = await startClient({ workers: 1, python: "/nonexistent/python", logger: quietLogger }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: Code.FailedPrecondition });
    expect((error as Error).message).toContain("/nonexistent/python (from option) was not found");
    expect((error as Error).message).toContain(`npx dspy-connect setup\` to install dspy-connect-worker ${CLIENT_VERSION}`);
  });

  it("names the setup command when the Python has no worker", async () => {
    // -S: no site-packages, so this venv's Python cannot see dspy_connect.
    const error = await startClient({ workers: 1, python: [python, "-S"], logger: quietLogger }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: Code.FailedPrecondition });
    expect((error as Error).message).toContain("has no dspy_connect module");
    expect((error as Error).message).toContain(`pip install dspy-connect-worker==${CLIENT_VERSION}`);
  });
});
