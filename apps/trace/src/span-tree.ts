/** A span from either side, as the tree prints it. */
export interface TreeSpan {
  readonly side: "ts" | "py";
  readonly name: string;
  readonly spanId: string;
  readonly parentId: string | undefined;
  readonly startMs: number;
  readonly durationMs: number;
  readonly error: boolean;
}

/** The spans as an indented tree, children in start order. Spans whose parent is not here are roots. */
export function renderTree(spans: readonly TreeSpan[]): string[] {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string | undefined, TreeSpan[]>();
  for (const span of [...spans].sort((a, b) => a.startMs - b.startMs)) {
    const parent = span.parentId && ids.has(span.parentId) ? span.parentId : undefined;
    children.set(parent, [...(children.get(parent) ?? []), span]);
  }
  const lines: string[] = [];
  const walk = (parent: string | undefined, depth: number): void => {
    for (const span of children.get(parent) ?? []) {
      const mark = span.error ? " ERROR" : "";
      lines.push(`${"  ".repeat(depth)}[${span.side}] ${span.name}  ${span.durationMs.toFixed(1)} ms${mark}`);
      walk(span.spanId, depth + 1);
    }
  };
  walk(undefined, 0);
  return lines;
}
