import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { runSyncQuietly } from "./run-command.js";

export const DNSMASQ = "/usr/sbin/dnsmasq";

/**
 * Why this machine cannot run the lab (not root, no namespaces, no dnsmasq), or undefined
 * when it can. Tries `ip netns add` once, with a name of its own, and removes it.
 */
export function labUnsupported(): string | undefined {
  if (process.platform !== "linux") return "network namespaces need Linux";
  if (process.getuid?.() !== 0) return "creating network namespaces needs root (run the test as root, as CI does)";
  const probe = `dcprobe${process.pid}`;
  try {
    execFileSync("ip", ["netns", "add", probe], { stdio: "pipe" });
  } catch (error) {
    return `\`ip netns add\` failed: ${String((error as { stderr?: Buffer }).stderr ?? error).trim()}`;
  } finally {
    runSyncQuietly("ip", "netns", "del", probe);
  }
  if (!existsSync(DNSMASQ)) return "no dnsmasq: install it with `apt-get install -y dnsmasq-base` (./dev test does in CI)";
  return undefined;
}
