/** What changed between the addresses the pool follows and a new answer. */
export interface AddressDiff {
  readonly joined: string[];
  readonly removed: string[];
}

export function diffAddresses(current: Iterable<string>, next: Iterable<string>): AddressDiff {
  const before = new Set(current);
  const after = new Set(next);
  return {
    joined: [...after].filter((a) => !before.has(a)),
    removed: [...before].filter((a) => !after.has(a)),
  };
}
