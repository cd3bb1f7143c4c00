import type { Page } from "playwright-core";

/** What the elements showed in one rendered frame, and the panel's state then. */
export interface Frame {
  readonly text: string;
  readonly state: string;
}

/**
 * Samples, in the page, the joined text of the elements matching `selector` in panel
 * `panelId` at every animation frame until the run ends, keeping each distinct one. Frames
 * are what the user sees: a response that arrived all at once would show no partial text,
 * however many DOM writes the page made for it. Call before starting the run.
 */
export async function recordFrames(page: Page, panelId: string, selector: string): Promise<() => Promise<Frame[]>> {
  const key = `__frames_${panelId}`;
  await page.evaluate(
    ({ key, panelId, selector }) => {
      const panel = document.getElementById(panelId)!;
      const frames: { text: string; state: string }[] = [];
      (window as unknown as Record<string, unknown>)[key] = frames;
      let started = false;
      const sample = () => {
        const state = panel.dataset.state ?? "";
        const text = [...panel.querySelectorAll(selector)].map((e) => e.textContent).join("|");
        if (state === "running") started = true;
        if (started && text !== frames.at(-1)?.text) frames.push({ text, state });
        if (!started || state === "running") requestAnimationFrame(sample);
      };
      requestAnimationFrame(sample);
    },
    { key, panelId, selector },
  );
  return () => page.evaluate((key) => (window as unknown as Record<string, Frame[]>)[key]!, key);
}
