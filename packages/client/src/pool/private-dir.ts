import { lstatSync, mkdirSync, type Stats } from "node:fs";

// A folder only this user can enter: what sockets and pid files need. Checked, never chmodded.

/** Creates `path` (0700) if missing, then checks it; returns why it cannot be used. */
export function ensurePrivateDir(path: string, parents: boolean): string | undefined {
  try {
    mkdirSync(path, { mode: 0o700, recursive: parents });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "EEXIST") return `cannot be created (${code})`;
  }
  return privateDirProblem(path);
}

/**
 * lstat, not stat: a symlink is refused, never followed. The folder must be ours with no
 * group or other access, so nobody else can plant, rename or remove run folders in it.
 */
export function privateDirProblem(path: string): string | undefined {
  let info: Stats;
  try {
    info = lstatSync(path);
  } catch (error) {
    return `cannot be inspected (${(error as NodeJS.ErrnoException).code})`;
  }
  if (info.isSymbolicLink()) return "is a symbolic link";
  if (!info.isDirectory()) return "is not a folder";
  const euid = process.geteuid?.();
  if (euid !== undefined && info.uid !== euid) return `is owned by uid ${info.uid}, not ${euid}`;
  const mode = info.mode & 0o777;
  if (mode !== 0o700) return `has mode 0${mode.toString(8)}, not 0700`;
  return undefined;
}
