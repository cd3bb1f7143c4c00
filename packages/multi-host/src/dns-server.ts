import { type ChildProcess, spawn } from "node:child_process";
import { Resolver } from "node:dns/promises";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DNSMASQ } from "./lab-support.js";

const PORT = 5353;

/**
 * dnsmasq answering only for the names it is given, from a hosts file it re-reads on SIGHUP,
 * on one address of the lab's bridge. No upstream, no /etc/hosts, no caching of answers.
 */
export class DnsServer {
  private readonly records = new Map<string, string[]>();
  private readonly resolver = new Resolver({ timeout: 200, tries: 1 });

  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly address: string,
  ) {
    this.resolver.setServers([this.nameserver]);
  }

  /** "ip:port", as a client's `nameservers` entry. */
  get nameserver(): string {
    return `${this.address}:${PORT}`;
  }

  static async start(address: string): Promise<DnsServer> {
    const dir = mkdtempSync(join(tmpdir(), "dspy-connect-dns-"));
    chmodSync(dir, 0o755); // dnsmasq re-reads the file as "nobody"
    writeFileSync(join(dir, "hosts"), "", { mode: 0o644 });
    const args = [
      "--keep-in-foreground",
      "--conf-file=/dev/null",
      "--no-resolv",
      "--no-hosts",
      `--addn-hosts=${join(dir, "hosts")}`,
      `--listen-address=${address}`,
      "--bind-interfaces",
      `--port=${PORT}`,
      "--no-negcache",
      "--local-ttl=0",
      "--pid-file",
      "--log-facility=-",
    ];
    const child = spawn(DNSMASQ, args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const server = new DnsServer(child, dir, address);
    // Ready once it answers at all (it refuses names it does not know: no upstream).
    for (let i = 0; ; i++) {
      const code = await server.resolver.resolve4("ready.invalid").then(
        () => "",
        (error: NodeJS.ErrnoException) => error.code ?? "",
      );
      if (!["ETIMEOUT", "ECONNREFUSED"].includes(code)) return server;
      if (child.exitCode !== null || i >= 50) {
        server.stop();
        throw new Error(`dnsmasq did not start: ${stderr.trim() || code}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Sets the addresses of `name`, has dnsmasq re-read them (SIGHUP), and waits until it answers with them. */
  async setAddresses(name: string, addresses: readonly string[]): Promise<void> {
    this.records.set(name, [...addresses]);
    const lines = [...this.records].flatMap(([n, list]) => list.map((a) => `${a} ${n}\n`));
    writeFileSync(join(this.dir, "hosts"), lines.join(""));
    this.child.kill("SIGHUP");
    const want = [...addresses].sort().join();
    for (let i = 0; i < 50; i++) {
      const got = await this.resolver.resolve4(name).catch(() => [] as string[]);
      if (got.sort().join() === want) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`dnsmasq did not answer ${want} for ${name} after SIGHUP`);
  }

  stop(): void {
    if (this.child.exitCode === null) this.child.kill("SIGTERM");
    rmSync(this.dir, { recursive: true, force: true });
  }
}
