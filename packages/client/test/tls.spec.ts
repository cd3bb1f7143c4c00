import { randomBytes } from "node:crypto";
import { copyFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, createClient, type DspyClient, type RemoteWorkerTls } from "../src/index.js";
import { Authority, certFolder } from "./certs.js";
import { quietLogger, startTcpWorker, type TcpWorker, waitFor } from "./helpers.js";

// Issue 19: TLS on TCP workers, with throwaway certificates made here by the openssl CLI.
describe("remote workers over TLS", () => {
  const token = randomBytes(32).toString("base64url");
  const folder = certFolder();
  const ca = new Authority(folder, "ca");
  const otherCa = new Authority(folder, "other-ca");
  const server = ca.server("server");
  const expired = ca.server("expired", -1);
  const clientCert = ca.client("client");
  let tls: TcpWorker;
  let expiredTls: TcpWorker;
  let mutual: TcpWorker;
  let plain: TcpWorker;

  beforeAll(async () => {
    [tls, expiredTls, mutual, plain] = await Promise.all([
      startTcpWorker(token, { tls: { cert: server.certPath, key: server.keyPath } }),
      startTcpWorker(token, { tls: { cert: expired.certPath, key: expired.keyPath } }),
      startTcpWorker(token, { tls: { cert: server.certPath, key: server.keyPath, clientCa: ca.certPath } }),
      startTcpWorker(token),
    ]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([tls, expiredTls, mutual, plain].map((w) => w?.stop()));
    rmSync(folder, { recursive: true, force: true });
  });

  const connect = (url: string, options: RemoteWorkerTls | undefined, withToken = token) =>
    createClient({ remote: [{ url, token: withToken, ...(options && { tls: options }) }], logger: quietLogger });

  it("streams a run with the token when the client trusts the worker's CA", async () => {
    expect(tls.url).toMatch(/^https:\/\//);
    const client = await connect(tls.url, { ca: ca.cert });
    try {
      await expectStreamedRun(client, "over tls");
      expect((await client.describe()).map((d) => d.pid)).toEqual([tls.pid]);
    } finally {
      await client.close();
    }
  });

  it("takes PEM bytes as well as strings, and a serverName to check instead of the url's IP address", async () => {
    const client = await connect(tls.url, {
      ca: new TextEncoder().encode(ca.cert),
      serverName: "localhost",
    });
    await client.close();
  });

  it("refuses a worker whose certificate another CA signed, as a TLS problem", async () => {
    await expect(connect(tls.url, { ca: otherCa.cert })).rejects.toMatchObject({
      code: Code.Unavailable,
      message: expect.stringMatching(/TLS handshake failed \(UNABLE_TO_VERIFY_LEAF_SIGNATURE.*not signed by a CA the client trusts/),
    });
  });

  it("refuses a worker whose certificate has expired", async () => {
    await expect(connect(expiredTls.url, { ca: ca.cert })).rejects.toMatchObject({
      code: Code.Unavailable,
      message: expect.stringMatching(/TLS handshake failed \(CERT_HAS_EXPIRED.*has expired/),
    });
  });

  it("refuses a certificate that does not hold the name dialled", async () => {
    await expect(connect(tls.url, { ca: ca.cert, serverName: "elsewhere.example" })).rejects.toMatchObject({
      code: Code.Unavailable,
      message: expect.stringMatching(/TLS handshake failed \(ERR_TLS_CERT_ALTNAME_INVALID.*tls\.serverName/),
    });
  });

  it("mutual TLS: refused without a client certificate or with another CA's, served with one the worker's CA signed", async () => {
    const refusedAsTls = {
      code: Code.Unavailable,
      message: expect.stringMatching(/TLS or certificate problem.*--tls-client-ca.*tls\.cert and tls\.key/),
    };
    await expect(connect(mutual.url, { ca: ca.cert })).rejects.toMatchObject(refusedAsTls);
    const stranger = otherCa.client("stranger");
    await expect(connect(mutual.url, { ca: ca.cert, cert: stranger.cert, key: stranger.key })).rejects.toMatchObject(refusedAsTls);
    const client = await connect(mutual.url, { ca: ca.cert, cert: clientCert.cert, key: clientCert.key });
    try {
      await expectStreamedRun(client, "mutual");
    } finally {
      await client.close();
    }
  });

  it("still refuses a wrong token over TLS, with Unauthenticated", async () => {
    await expect(connect(tls.url, { ca: ca.cert }, randomBytes(32).toString("base64url"))).rejects.toMatchObject({
      code: Code.Unauthenticated,
      message: expect.stringContaining("refused the client's token"),
    });
  });

  it("says so when the url's scheme and the worker's transport disagree", async () => {
    await expect(connect(plain.url, { ca: ca.cert })).rejects.toMatchObject({
      code: Code.InvalidArgument,
      message: expect.stringContaining("tls is set but the url is http://"),
    });
    await expect(connect(plain.url.replace("http:", "https:"), { ca: ca.cert })).rejects.toMatchObject({
      code: Code.Unavailable,
      message: expect.stringMatching(/TLS handshake failed.*started with --insecure takes an http:\/\/ url/),
    });
    await expect(connect(tls.url.replace("https:", "http:"), undefined)).rejects.toMatchObject({
      code: Code.Unavailable,
      message: expect.stringContaining("use an https:// url and tls"),
    });
  });
});

describe("a TLS worker's certificate after SIGHUP", () => {
  const token = randomBytes(32).toString("base64url");
  const folder = certFolder();
  const oldCa = new Authority(folder, "old-ca");
  const newCa = new Authority(folder, "new-ca");
  const served = { cert: join(folder, "served.pem"), key: join(folder, "served.key") };
  let worker: TcpWorker;

  beforeAll(async () => {
    const first = oldCa.server("first");
    copyFileSync(first.certPath, served.cert);
    copyFileSync(first.keyPath, served.key);
    worker = await startTcpWorker(token, { tls: served });
  }, 120_000);
  afterAll(async () => {
    await worker?.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  it("is the new one for new connections; the worker never restarts", async () => {
    const before = await createClient({ remote: [{ url: worker.url, token, tls: { ca: oldCa.cert } }], logger: quietLogger });
    const rotated = newCa.server("rotated");
    copyFileSync(rotated.certPath, served.cert);
    copyFileSync(rotated.keyPath, served.key);
    process.kill(worker.pid, "SIGHUP");
    await waitFor(() => worker.logs().includes("TLS files reloaded"), 30_000);

    const after = await createClient({ remote: [{ url: worker.url, token, tls: { ca: newCa.cert } }], logger: quietLogger });
    try {
      await expectStreamedRun(after, "rotated");
      expect((await after.describe()).map((d) => d.pid)).toEqual([worker.pid]);
      // A connection made before the reload stays up; a new one must trust the new CA.
      await expectStreamedRun(before, "kept");
      await expect(
        createClient({ remote: [{ url: worker.url, token, tls: { ca: oldCa.cert } }], logger: quietLogger }),
      ).rejects.toMatchObject({ code: Code.Unavailable, message: expect.stringContaining("TLS handshake failed") });
    } finally {
      await Promise.all([before.close(), after.close()]);
    }
  });
});

describe("a TLS worker restarted behind the same address with a certificate the client does not trust", () => {
  const token = randomBytes(32).toString("base64url");
  const folder = certFolder();
  const ca = new Authority(folder, "ca");
  const strangerCa = new Authority(folder, "stranger-ca");
  const trusted = ca.server("trusted");
  const untrusted = strangerCa.server("untrusted");
  const workers: TcpWorker[] = [];
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    rmSync(folder, { recursive: true, force: true });
  });

  it("takes it out of service as a TLS problem, logged once, and back once it is trusted again", async () => {
    const first = await startTcpWorker(token, { tls: { cert: trusted.certPath, key: trusted.keyPath } });
    workers.push(first);
    const errors: string[] = [];
    const client = await createClient({
      remote: [{ url: first.url, token, tls: { ca: ca.cert } }],
      healthIntervalMs: 100,
      logger: { error: (m: string) => errors.push(m) },
    });
    try {
      expect(await client.predict("q -> a", { q: "before" })).toEqual({ a: "a: before" });
      await first.stop();
      const stranger = await startTcpWorker(token, { port: first.port, tls: { cert: untrusted.certPath, key: untrusted.keyPath } });
      workers.push(stranger);
      await waitFor(() => errors.length > 0, 30_000);
      expect(errors[0]).toMatch(/TLS handshake failed \(UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
      expect(client.stats().workers[0]!.status).toBe("unhealthy");
      await expect(client.predict("q -> a", { q: "during" })).rejects.toMatchObject({
        code: Code.Unavailable,
        rawMessage: expect.stringContaining("TLS handshake failed"),
      });

      await stranger.stop();
      const fixed = await startTcpWorker(token, { port: first.port, tls: { cert: trusted.certPath, key: trusted.keyPath } });
      workers.push(fixed);
      await waitFor(() => client.stats().workers[0]!.status === "ready", 30_000);
      expect(await client.predict("q -> a", { q: "after" })).toEqual({ a: "a: after" });
      expect(errors).toHaveLength(1); // logged once, not at every probe
    } finally {
      await client.close();
    }
  });
});

/** One streamed Run (predict with the scripted echo LM) to its end: tokens, then the result. */
async function expectStreamedRun(client: DspyClient, question: string): Promise<void> {
  const inputsJson = new TextEncoder().encode(JSON.stringify({ q: question }));
  const run = client.openRun({ operation: { case: "module", value: { module: { type: "predict", signature: "q -> a" }, inputsJson } } });
  let tokens = "";
  let result: unknown;
  for await (const response of run.responses) {
    if (response.kind.case === "events") {
      for (const event of response.kind.value.events) if (event.kind.case === "token") tokens += event.kind.value.delta;
    }
    if (response.kind.case === "done" && response.kind.value.outcome.case === "resultJson") {
      result = JSON.parse(new TextDecoder().decode(response.kind.value.outcome.value));
    }
  }
  expect(result).toMatchObject({ a: `a: ${question}` });
  expect(tokens).toContain(question);
}
