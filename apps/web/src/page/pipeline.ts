import { field, runPanel } from "./run-panel.ts";

/** The pipeline view: one row per step, its status and its streamed text. */
export function pipelinePanel(): void {
  const steps = document.getElementById("pipeline-steps")!;
  const rows = new Map<string, { row: HTMLLIElement; text: HTMLSpanElement; field?: string }>();
  const row = (path: string) => {
    let found = rows.get(path);
    if (!found) {
      const li = document.createElement("li");
      li.dataset.path = path;
      li.dataset.status = "running";
      const label = document.createElement("span");
      label.className = "label";
      label.textContent = path;
      const text = document.createElement("span");
      li.append(label, " ", text);
      steps.append(li);
      found = { row: li, text };
      rows.set(path, found);
    }
    return found;
  };
  runPanel<Record<string, unknown>>("pipeline", "/api/pipeline", {
    body: (form) => {
      const question = field(form, "question");
      return question ? { question } : undefined;
    },
    reset: () => {
      steps.replaceChildren();
      rows.clear();
    },
    render: async (run) => {
      for await (const event of run) {
        if (event.type === "step_start") row(event.path);
        else if (event.type === "token") {
          const step = row(event.path);
          if (step.field !== event.field) step.text.append(`${step.field ? "\n" : ""}${event.field}: `); // a new field of the step
          step.field = event.field;
          step.text.append(event.delta);
        } else if (event.type === "step_complete") row(event.path).row.dataset.status = "done";
        else if (event.type === "step_error") row(event.path).row.dataset.status = "error";
        else if (event.type === "branch_taken") row(event.path).text.append(`long answer? ${event.value}: took ${event.taken}`);
        else if (event.type === "parallel_start") row(event.path).text.append(`${event.branches} branches at once`);
        else if (event.type === "parallel_complete") row(event.path).row.dataset.status = "done";
      }
      return run.result;
    },
  });
}
