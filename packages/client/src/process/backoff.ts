export interface RestartDelay {
  readonly initialMs: number;
  readonly maxMs: number;
}

/** The first restart after a stable run is immediate; later ones back off exponentially. */
export function restartDelay(failures: number, { initialMs, maxMs }: RestartDelay): number {
  return failures === 0 ? 0 : Math.min(maxMs, initialMs * 2 ** (failures - 1));
}

// A process that stayed up this long has recovered: its next crash restarts at once.
export const STABLE_AFTER_MS = 10_000;
