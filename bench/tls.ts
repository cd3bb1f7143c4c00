// What TLS costs a remote worker: a new connection (TCP + TLS handshake + HTTP/2 + one health
// check) and sequential unary calls, on one worker with --insecure beside one with TLS, same run.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { createClient as createRpcClient } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { createClient, type RemoteWorkerTls } from "@dspy-connect/client";
import { Health } from "@dspy-connect/core-proto";
import { Authority, certFolder } from "../packages/client/test/certs.ts";
import { benchEnv, fmt, python, summary } from "./lib.ts";

const N = Number(process.env.BENCH_N ?? 200);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const token = randomBytes(32).toString("base64url");
const folder = certFolder();
const ca = new Authority(folder, "bench-ca");
const server = ca.server("bench-server");

async function startWorker(transport: string[]): Promise<{ address: string; stop: () => void }> {
  const args = ["-m", "dspy_connect.worker", "--tcp", "127.0.0.1:0", ...transport, "--lm", "scripted/echo", "--exit-with-stdin"];
  const child = spawn(python, args, { env: { ...process.env, ...benchEnv, DSPY_CONNECT_TOKEN: token }, stdio: ["pipe", "pipe", "ignore"] });
  const address = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split("\n").find((l) => l.startsWith("DSPY_CONNECT_READY "));
      if (line) resolve(JSON.parse(line.slice("DSPY_CONNECT_READY ".length)).address);
    });
    child.once("exit", (code) => reject(new Error(`worker exited with ${code}`)));
  });
  return { address, stop: () => child.stdin!.end() };
}

/** A new HTTP/2 connection and one health check on it (ms). */
async function newConnection(url: string, nodeOptions: object): Promise<number> {
  const sessions = new Http2SessionManager(url, {}, nodeOptions);
  const health = createRpcClient(Health, createGrpcTransport({ baseUrl: url, sessionManager: sessions }));
  const t = performance.now();
  await health.check({});
  const ms = performance.now() - t;
  sessions.abort();
  return ms;
}

type Sides<T> = { plain: T; tls: T };

/** `measure` on each side in turn, `rounds` times after 5 warm-up rounds: both see the same load. */
async function alternate(rounds: number, measure: (side: keyof Sides<unknown>) => Promise<number>): Promise<Sides<number[]>> {
  const out: Sides<number[]> = { plain: [], tls: [] };
  for (let i = 0; i < rounds + 5; i++) {
    for (const side of ["plain", "tls"] as const) {
      const ms = await measure(side);
      if (i >= 5) out[side].push(ms);
    }
  }
  return out;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

const [plain, secure] = await Promise.all([
  startWorker(["--insecure"]),
  startWorker(["--tls-cert", server.certPath, "--tls-key", server.keyPath]),
]);
try {
  const urls = { plain: `http://${plain.address}`, tls: `https://${secure.address}` };
  const tls: RemoteWorkerTls = { ca: ca.cert };
  const connect = await alternate(CONNECTIONS, (side) => newConnection(urls[side], side === "tls" ? tls : {}));
  const clients = {
    plain: await createClient({ remote: [{ url: urls.plain, token }], lm: "scripted/echo", logger: {} }),
    tls: await createClient({ remote: [{ url: urls.tls, token, tls }], lm: "scripted/echo", logger: {} }),
  };
  try {
    const describe = await alternate(N, (side) => timed(() => clients[side].describe()));
    const predict = await alternate(N, (side) => timed(() => clients[side].predict("question -> answer", { question: "hi" })));
    console.log("remote worker on loopback TCP: --insecure vs TLS (EC P-256 certificate, TLS 1.3), alternating, ms");
    console.log("| what | plain p50 | TLS p50 | plain mean | TLS mean |");
    console.log("|---|---|---|---|---|");
    const row = (what: string, both: Sides<number[]>) => {
      const [a, b] = [summary(both.plain), summary(both.tls)];
      console.log(`| ${what} | ${fmt(a.p50)} | ${fmt(b.p50)} | ${fmt(a.mean)} | ${fmt(b.mean)} |`);
    };
    row(`new connection + one health check (${CONNECTIONS} each)`, connect);
    row(`Describe on an open connection (${N} each)`, describe);
    row(`Predict, DSPy cache hit (${N} each)`, predict);
  } finally {
    await Promise.all([clients.plain.close(), clients.tls.close()]);
  }
} finally {
  plain.stop();
  secure.stop();
  rmSync(folder, { recursive: true, force: true });
}
