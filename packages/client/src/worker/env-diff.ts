export type Env = Readonly<Record<string, string | undefined>>;

/** What a fork request changes in the zygote's environment: set these, unset those. */
export interface EnvDiff {
  readonly env: Record<string, string>;
  readonly unset: string[];
}

/**
 * How `now` differs from `then`. A spawned worker gets the client's environment as it is when
 * it starts; a forked one gets the zygote's (as it was when the zygote started) plus this.
 */
export function envDiff(then: Env, now: Env): EnvDiff {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(now)) {
    if (value !== undefined && value !== then[name]) env[name] = value;
  }
  const unset = Object.keys(then).filter((name) => then[name] !== undefined && now[name] === undefined);
  return { env, unset };
}
