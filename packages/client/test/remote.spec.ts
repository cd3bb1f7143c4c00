import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, createClient, type DspyClient } from "../src/index.js";
import { quietLogger, startTcpWorker } from "./helpers.js";

describe("a remote worker on TCP with a token", () => {
  let worker: Awaited<ReturnType<typeof startTcpWorker>>;
  let client: DspyClient;
  // The worker refuses tokens weaker than 32 random bytes.
  const token = randomBytes(32).toString("base64url");
  beforeAll(async () => {
    worker = await startTcpWorker(token);
    client = await createClient({ remote: [{ url: worker.url, token }], logger: quietLogger });
  });
  afterAll(async () => {
    await client.close();
    await worker.stop();
  });

  it("serves calls through the same API", async () => {
    expect(client.stats().workers.map((w) => [w.id, w.kind, w.status])).toEqual([["r0", "remote", "ready"]]);
    const result = await client.call({ type: "chain_of_thought", signature: "q -> a" }, { q: "far" });
    expect(result.outputs).toEqual({ reasoning: "Step by step: far", a: "a: far" });
    const session = await client.session();
    expect(await session.predict("q -> n: int", { q: "four" })).toEqual({ n: 4 });
    await session.close();
  });

  it("rejects a wrong token with Unauthenticated, at connect (the version handshake needs the token)", async () => {
    const intruder = createClient({ remote: [{ url: worker.url, token: "wrong" }], logger: quietLogger });
    await expect(intruder).rejects.toMatchObject({
      code: Code.Unauthenticated,
      message: expect.stringContaining("refused the client's token"),
    });
  });

  it("finds the worker through the system resolver (dns), with the same token and API", async () => {
    // localhost resolves to 127.0.0.1 (and maybe ::1, where nothing listens: it does not join).
    const found = await createClient({ remote: [{ dns: `localhost:${worker.port}`, token }], logger: quietLogger });
    try {
      expect(found.stats().workers.map((w) => [w.id, w.kind, w.status])).toEqual([[`r0@127.0.0.1`, "remote", "ready"]]);
      const result = await found.call({ type: "predict", signature: "q -> a" }, { q: "near" });
      expect(result.outputs).toEqual({ a: "a: near" });
    } finally {
      await found.close();
    }
    await expect(createClient({ remote: [{ dns: "no-such-host.invalid:7000", token }], logger: quietLogger })).rejects.toMatchObject({
      code: Code.Unavailable,
      message: expect.stringContaining("has no addresses"),
    });
    for (const bad of [{ dns: "localhost" }, { dns: "localhost:7000", nameservers: ["not-an-ip"] }]) {
      await expect(createClient({ remote: [{ ...bad, token }], logger: quietLogger })).rejects.toMatchObject({
        code: Code.InvalidArgument,
      });
    }
  });

  it("refuses to start when the remote worker is down", async () => {
    await expect(createClient({ remote: [{ url: "http://127.0.0.1:1", token: "x" }], logger: quietLogger })).rejects.toMatchObject({
      code: Code.Unavailable,
    });
  });
});
