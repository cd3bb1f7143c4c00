import type { RunTool } from "../tools/run-tool.js";

// Symbol.for: the same key in every installed copy of this package, so a session from one
// copy is recognised by another (version skew), where `instanceof` would silently fail.
const SESSION = Symbol.for("@dspy-connect/client.session");

/** What sibling packages need of a session: its id and its TypeScript tools. */
export interface SessionLike {
  readonly id: string;
  readonly tools: { get(id: string): RunTool | undefined };
}

/** Marks an object as a session (see isSession). */
export function brandSession(session: SessionLike): void {
  Object.defineProperty(session, SESSION, { value: true });
}

/** True for a Session of any installed copy of @dspy-connect/client. */
export function isSession(value: unknown): value is SessionLike {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[SESSION] === true;
}
