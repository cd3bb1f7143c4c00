import { describe, expect, it } from "vitest";
import { workerVersionOf } from "./version.js";

describe("workerVersionOf", () => {
  it("is the PyPI form of the npm version, as the release script writes the worker's", () => {
    expect(workerVersionOf("1.2.0")).toBe("1.2.0");
    expect(workerVersionOf("1.2.0-alpha.0")).toBe("1.2.0a0");
    expect(workerVersionOf("1.2.0-beta.3")).toBe("1.2.0b3");
    expect(workerVersionOf("1.2.0-rc.1")).toBe("1.2.0rc1");
  });
});
