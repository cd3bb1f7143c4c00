import { item, runPanel } from "./run-panel.ts";

/** The batch: one question per line, answered across the workers, with a progress bar. */
export function batchPanel(): void {
  const progress = document.getElementById("batch-progress") as HTMLProgressElement;
  const items = document.getElementById("batch-items")!;
  runPanel<{ total: number; completed: number; failed: number }>("batch", "/api/batch", {
    body: (form) => {
      const questions = String(new FormData(form).get("questions") ?? "")
        .split("\n")
        .map((q) => q.trim())
        .filter(Boolean);
      return questions.length ? { questions } : undefined;
    },
    reset: () => {
      progress.max = 1;
      progress.value = 0;
      items.replaceChildren();
    },
    render: async (run) => {
      for await (const event of run) {
        if (event.type === "progress") {
          progress.max = event.total;
          progress.value = event.completed + event.failed;
          progress.dataset.done = `${event.completed + event.failed}/${event.total}`;
        } else if (event.type === "item_complete") {
          item(items, "item", `${(event.input as { question: string }).question} → ${String(event.output.answer)}`).dataset.index = String(
            event.index,
          );
        } else if (event.type === "item_error") {
          item(items, "item_error", `#${event.index}: ${event.error.message}`).dataset.index = String(event.index);
        }
      }
      return run.result;
    },
  });
}
