import { run, runSyncQuietly } from "./run-command.js";

/** One "host": a network namespace with one address on the lab's bridge. */
export interface LabHost {
  readonly name: string;
  readonly netns: string;
  /** The root namespace's end of its veth pair: set it down to partition the host. */
  readonly veth: string;
  readonly address: string;
}

/**
 * A private bridge in the root namespace and hosts in namespaces of their own, each joined
 * to it by a veth pair. Every name carries this process's pid, the subnet is a free
 * 10.250.x.0/24, and destroy() removes exactly what was created (also at process exit).
 */
export class NetnsLab {
  readonly hosts: LabHost[] = [];
  private readonly tag = `dc${process.pid}`;
  private readonly bridge = `${this.tag}br`;
  private readonly created: { netns: string[]; veths: string[]; bridge: boolean } = { netns: [], veths: [], bridge: false };
  private readonly onExit = () => this.destroySync();
  private added = 0;

  private constructor(
    /** "10.250.x": the hosts are .11, .12, ...; the bridge (the client's side) is .1. */
    readonly subnet: string,
  ) {
    process.once("exit", this.onExit);
  }

  /** The root namespace's address on the bridge (the client and the DNS server). */
  get gateway(): string {
    return `${this.subnet}.1`;
  }

  static async create(): Promise<NetnsLab> {
    const lab = new NetnsLab(await freeSubnet());
    try {
      await run("ip", "link", "add", lab.bridge, "type", "bridge");
      lab.created.bridge = true;
      await run("ip", "addr", "add", `${lab.gateway}/24`, "dev", lab.bridge);
      await run("ip", "link", "set", lab.bridge, "up");
    } catch (error) {
      await lab.destroy();
      throw error;
    }
    return lab;
  }

  async addHost(): Promise<LabHost> {
    const n = ++this.added; // before any await: hosts may be added concurrently
    const host = { name: `h${n}`, netns: `${this.tag}h${n}`, veth: `${this.tag}v${n}`, address: `${this.subnet}.${10 + n}` };
    const peer = `${this.tag}p${n}`;
    await run("ip", "netns", "add", host.netns);
    this.created.netns.push(host.netns);
    await run("ip", "link", "add", host.veth, "type", "veth", "peer", "name", peer, "netns", host.netns);
    this.created.veths.push(host.veth);
    await run("ip", "link", "set", host.veth, "master", this.bridge, "up");
    const inside = (...args: string[]) => run("ip", "-n", host.netns, ...args);
    await inside("link", "set", peer, "name", "eth0");
    await inside("addr", "add", `${host.address}/24`, "dev", "eth0");
    await inside("link", "set", "eth0", "up");
    await inside("link", "set", "lo", "up");
    this.hosts.push(host);
    this.hosts.sort((a, b) => a.name.localeCompare(b.name, "en", { numeric: true }));
    return host;
  }

  /** Cuts the host off: its packets are dropped, with no reset (a pulled cable). */
  async partition(host: LabHost): Promise<void> {
    await run("ip", "link", "set", host.veth, "down");
  }

  async destroy(): Promise<void> {
    this.destroySync();
  }

  private destroySync(): void {
    process.off("exit", this.onExit);
    // The pair goes explicitly: a namespace outlives `ip netns del` while a socket in it
    // still retries (a partitioned host's connections), and its pair would stay with it.
    for (const veth of this.created.veths.splice(0)) runSyncQuietly("ip", "link", "del", veth);
    for (const netns of this.created.netns.splice(0)) runSyncQuietly("ip", "netns", "del", netns);
    if (this.created.bridge) runSyncQuietly("ip", "link", "del", this.bridge);
    this.created.bridge = false;
  }
}

/** A 10.250.x.0/24 no interface or route of this machine uses yet. */
async function freeSubnet(): Promise<string> {
  const used = await run("ip", "-4", "route", "show");
  const addresses = await run("ip", "-4", "-o", "addr", "show");
  for (let i = 0; i < 250; i++) {
    const subnet = `10.250.${((process.pid + i) % 250) + 1}`;
    if (!used.includes(`${subnet}.`) && !addresses.includes(`${subnet}.`)) return subnet;
  }
  throw new Error("no free 10.250.x.0/24 subnet");
}
