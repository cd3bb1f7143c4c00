import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { CLIENT_VERSION, Code, ConnectError, createClient, type DspyClient, PROTOCOL_VERSION, WORKER_VERSION } from "../src/index.js";
import { python, startClient, startTcpWorker, waitFor } from "./helpers.js";

// A real worker that reports other versions: the test plugin dspy_connect.testing.version_skew
// reads these (and nothing else does).
const SKEW_PLUGIN = "dspy_connect.testing.version_skew";
const WORKER_VERSION_ENV = "DSPY_CONNECT_TEST_WORKER_VERSION";
const PROTOCOL_VERSION_ENV = "DSPY_CONNECT_TEST_PROTOCOL_VERSION";
// A release line the client is not on: 0.x's minor is its breaking part.
const [major, minor] = CLIENT_VERSION.split(".").map(Number) as [number, number];
const OTHER_MINOR = `${major}.${minor + 1}.0`;

/** A logger that keeps what it is given, to see what the client told the operator. */
function recordingLogger() {
  const errors: string[] = [];
  return { errors, logger: { error: (m: string) => errors.push(m) } };
}

async function refusal(pending: Promise<DspyClient>): Promise<ConnectError> {
  const outcome = await pending.then(
    async (client) => {
      await client.close();
      throw new Error("the client started, but its worker should have been refused");
    },
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(ConnectError);
  return outcome as ConnectError;
}

describe("the version handshake", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it("knows its own versions: CLIENT_VERSION is the package's", () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
    expect(CLIENT_VERSION).toBe(pkg.version);
    expect(PROTOCOL_VERSION).toBeGreaterThanOrEqual(1);
  });

  it("accepts a matching worker, which reports the client's protocol and release line", async () => {
    const client = await startClient({ workers: 1 });
    cleanups.push(() => client.close());
    const [info] = await client.describe();
    expect(info!.protocolVersion).toBe(PROTOCOL_VERSION);
    expect(info!.workerVersion.split(".").slice(0, 2)).toEqual(CLIENT_VERSION.split(".").slice(0, 2));
    expect(await client.predict("q -> a", { q: "hi" })).toEqual({ a: "a: hi" });
  });

  it("refuses a local worker of another release line: FailedPrecondition naming both versions and the fix", async () => {
    const error = await refusal(
      startClient({ workers: 1, imports: [SKEW_PLUGIN], env: { DSPY_CONNECT_TEST_PROVIDERS: "1", [WORKER_VERSION_ENV]: OTHER_MINOR } }),
    );
    expect(error.code).toBe(Code.FailedPrecondition);
    expect(error.rawMessage).toContain(`dspy-connect-worker ${OTHER_MINOR}`);
    expect(error.rawMessage).toContain(`@dspy-connect/client ${CLIENT_VERSION}`);
    expect(error.rawMessage).toContain("npx dspy-connect setup");
    expect(error.rawMessage).toContain(`pip install dspy-connect-worker==${WORKER_VERSION}`);
    expect(error.rawMessage).toContain(python);
  });

  it("refuses a local worker of another protocol, even of the same release", async () => {
    const error = await refusal(
      startClient({
        workers: 1,
        imports: [SKEW_PLUGIN],
        env: { DSPY_CONNECT_TEST_PROVIDERS: "1", [PROTOCOL_VERSION_ENV]: String(PROTOCOL_VERSION + 1) },
      }),
    );
    expect(error.code).toBe(Code.FailedPrecondition);
    expect(error.rawMessage).toContain(`(protocol ${PROTOCOL_VERSION + 1})`);
    expect(error.rawMessage).toContain(`@dspy-connect/client ${CLIENT_VERSION} (protocol ${PROTOCOL_VERSION})`);
    expect(error.rawMessage).toContain("same protocol");
  });

  it("does not restart a local worker in a loop once a restart brings up another version", async () => {
    const { errors, logger } = recordingLogger();
    const client = await startClient({ workers: 1, imports: [SKEW_PLUGIN], restart: { initialDelayMs: 10, maxDelayMs: 20 }, logger });
    // Workers get the client's environment as it is when they start: as if the Python
    // environment were upgraded under a running app, the next incarnation is another version.
    process.env[WORKER_VERSION_ENV] = OTHER_MINOR;
    cleanups.push(async () => {
      delete process.env[WORKER_VERSION_ENV];
      await client.close();
    });
    process.kill(client.stats().workers[0]!.pid!, "SIGKILL");
    await waitFor(() => client.stats().workers[0]!.status === "stopped", 30_000);
    expect(errors.join("\n")).toContain(`dspy-connect-worker ${OTHER_MINOR}`);
    expect(errors.join("\n")).toContain("not restarted");
    // With every worker refused, a call fails at once with why, instead of queueing.
    const call = client.predict("q -> a", { q: "x" }, { timeoutMs: 60_000 });
    await expect(call).rejects.toMatchObject({ code: Code.FailedPrecondition, rawMessage: expect.stringContaining(OTHER_MINOR) });
    // Many restart delays later, still one restart and no process.
    await new Promise((r) => setTimeout(r, 500));
    expect(client.stats().workers[0]).toMatchObject({ status: "stopped", restarts: 1, pid: undefined });
  });

  describe("with a remote worker", () => {
    const token = randomBytes(32).toString("base64url");

    it("refuses one of another release line: FailedPrecondition naming both versions and the fix", async () => {
      const worker = await startTcpWorker(token, { imports: [SKEW_PLUGIN], env: { [WORKER_VERSION_ENV]: OTHER_MINOR } });
      cleanups.push(worker.stop);
      const error = await refusal(createClient({ remote: [{ url: worker.url, token }], logger: {} }));
      expect(error.code).toBe(Code.FailedPrecondition);
      expect(error.rawMessage).toContain(`remote worker r0 at ${worker.url} runs dspy-connect-worker ${OTHER_MINOR}`);
      expect(error.rawMessage).toContain(`@dspy-connect/client ${CLIENT_VERSION}`);
      expect(error.rawMessage).toContain(`pip install dspy-connect-worker==${WORKER_VERSION}`);
      expect(error.rawMessage).toContain("restart it");
    });

    it("takes one replaced by another version out of service, and back once it matches again", async () => {
      const first = await startTcpWorker(token);
      const { errors, logger } = recordingLogger();
      const client = await createClient({ remote: [{ url: first.url, token }], healthIntervalMs: 100, logger });
      cleanups.push(() => client.close());
      expect(await client.predict("q -> a", { q: "before" })).toEqual({ a: "a: before" });

      // The operator restarts the worker on the same address with another version.
      await first.stop();
      const skewed = await startTcpWorker(token, { port: first.port, imports: [SKEW_PLUGIN], env: { [WORKER_VERSION_ENV]: OTHER_MINOR } });
      cleanups.push(skewed.stop);
      await waitFor(() => errors.length > 0, 30_000);
      expect(errors[0]).toContain(`dspy-connect-worker ${OTHER_MINOR}`);
      expect(client.stats().workers[0]!.status).toBe("unhealthy");
      await expect(client.predict("q -> a", { q: "during" })).rejects.toMatchObject({
        code: Code.FailedPrecondition,
        rawMessage: expect.stringContaining(OTHER_MINOR),
      });

      // ...and back to a matching one: the next probe passes the handshake.
      await skewed.stop();
      const fixed = await startTcpWorker(token, { port: first.port });
      cleanups.push(fixed.stop);
      await waitFor(() => client.stats().workers[0]!.status === "ready", 30_000);
      expect(await client.predict("q -> a", { q: "after" })).toEqual({ a: "a: after" });
      expect(errors).toHaveLength(1); // logged once, not at every probe
    });
  });
});
