import { describe, expect, it } from "vitest";
import { Code } from "../errors.js";
import { DispatchQueue } from "./dispatch-queue.js";

describe("DispatchQueue", () => {
  const far = () => Date.now() + 60_000;

  it("serves waiters in order, skipping ones no slot fits", async () => {
    const queue = new DispatchQueue<string, string>(10, 60_000);
    const a = queue.enqueue("strict-w1", far(), undefined);
    const b = queue.enqueue("any", far(), undefined);
    queue.drain((req) => (req === "any" ? "w0" : undefined));
    await expect(b).resolves.toBe("w0");
    expect(queue.size).toBe(1);
    queue.drain(() => "w1");
    await expect(a).resolves.toBe("w1");
  });

  it("rejects when full, after the wait limit, at the deadline, and on abort", async () => {
    const queue = new DispatchQueue<string, string>(2, 50);
    const waited = queue.enqueue("x", far(), undefined);
    const deadline = queue.enqueue("x", Date.now() + 10, undefined);
    await expect(queue.enqueue("x", far(), undefined)).rejects.toMatchObject({ code: Code.ResourceExhausted });
    await expect(deadline).rejects.toMatchObject({ code: Code.DeadlineExceeded });
    await expect(waited).rejects.toMatchObject({ code: Code.ResourceExhausted });
    const controller = new AbortController();
    const aborted = queue.enqueue("x", far(), controller.signal);
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ code: Code.Canceled });
    expect(queue.size).toBe(0);
  });
});
