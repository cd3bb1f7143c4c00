import { existsSync } from "node:fs";

/** CHROMIUM_PATH when set, else the system's Chromium (Debian's `chromium`): the browser tests never download one. */
export function findChromium(): string | undefined {
  const candidates = process.env.CHROMIUM_PATH ? [process.env.CHROMIUM_PATH] : ["/usr/bin/chromium", "/usr/bin/chromium-browser"];
  return candidates.find((path) => existsSync(path));
}

export const chromiumPath = findChromium();

if (!chromiumPath) {
  const how = "install Debian's chromium (`apt-get install -y chromium`) or set CHROMIUM_PATH";
  // CI must run the browser tests; a missing browser there is a failure, not a skip.
  if (process.env.CI) throw new Error(`CI is set but no Chromium was found: ${how}`);
  console.warn(`\n  SKIPPING the browser tests of apps/web: no Chromium found; ${how}.\n`);
}

/** Launch flags: as root (CI, containers) Chromium runs only without its sandbox. */
export const chromiumArgs: string[] = process.getuid?.() === 0 ? ["--no-sandbox"] : [];
