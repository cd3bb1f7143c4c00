import { Code, ConnectError } from "./errors.js";

/** The most LM retries a client, call or run may ask for (the worker's limit too). */
export const MAX_RETRIES = 20;

/**
 * `retries` checked on this side, so a bad value fails before any work: a whole number
 * 0..MAX_RETRIES, or undefined (the worker's default policy: 2).
 */
export function checkRetries(retries: number | undefined, where = "retries"): number | undefined {
  if (retries === undefined) return undefined;
  if (!Number.isInteger(retries) || retries < 0 || retries > MAX_RETRIES) {
    throw new ConnectError(`${where} must be a whole number from 0 to ${MAX_RETRIES}, got ${retries}`, Code.InvalidArgument);
  }
  return retries;
}
