import { describe, expect, it } from "vitest";
import { envDiff } from "../src/worker/env-diff.js";

describe("envDiff (what a fork request changes in the zygote's environment)", () => {
  it("sets what was added or changed and unsets what was removed", () => {
    const then = { KEEP: "1", CHANGE: "old", REMOVE: "x", NEVER: undefined };
    const now = { KEEP: "1", CHANGE: "new", ADD: "y", REMOVE: undefined };
    expect(envDiff(then, now)).toEqual({ env: { CHANGE: "new", ADD: "y" }, unset: ["REMOVE"] });
  });

  it("is empty when nothing changed", () => {
    expect(envDiff({ A: "1" }, { A: "1" })).toEqual({ env: {}, unset: [] });
  });
});
