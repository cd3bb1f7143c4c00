import { type EventStream, fetchStream, RunError } from "@dspy-connect/streaming/web";

const CANCELED = 1; // the Connect code of a run stopped by its reader

export interface PanelRun<R> {
  /** The request's JSON body, from the form; undefined: nothing to run. */
  body(form: HTMLFormElement): unknown;
  /** Clears the panel's output before a run. */
  reset(): void;
  /** Shows the run's events as they come; resolves with its result. */
  render(run: EventStream<R>): Promise<R>;
}

/**
 * Wires a panel: its form posts to `url` and the panel reads the streamed run; Stop aborts
 * the fetch, which closes the connection, and the server cancels the Python work. The
 * panel's `data-state` (idle, running, done, stopped, error) says where the run is.
 */
export function runPanel<R>(id: string, url: string, panel: PanelRun<R>): void {
  const section = document.getElementById(id)!;
  const form = section.querySelector("form")!;
  const run = document.getElementById(`${id}-run`) as HTMLButtonElement;
  const stop = document.getElementById(`${id}-stop`) as HTMLButtonElement;
  const status = document.getElementById(`${id}-status`)!;
  let controller: AbortController | undefined;

  stop.addEventListener("click", () => controller?.abort());
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = panel.body(form);
    if (body === undefined) return;
    controller = new AbortController();
    panel.reset();
    section.dataset.state = "running";
    status.textContent = "running";
    run.disabled = true;
    stop.disabled = false;
    const stream = fetchStream<R>(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: controller.signal,
    });
    try {
      await panel.render(stream);
      section.dataset.state = "done";
      status.textContent = "done";
    } catch (error) {
      const stopped = error instanceof RunError && error.code === CANCELED;
      section.dataset.state = stopped ? "stopped" : "error";
      status.textContent = stopped ? "stopped" : `failed: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      run.disabled = false;
      stop.disabled = true;
      controller = undefined;
    }
  });
}

/** The input named `name` of a form, trimmed. */
export function field(form: HTMLFormElement, name: string): string {
  return String(new FormData(form).get(name) ?? "").trim();
}

/** A list item of a given kind, appended to `list`. */
export function item(list: HTMLElement, kind: string, text = ""): HTMLLIElement {
  const li = document.createElement("li");
  li.dataset.kind = kind;
  li.textContent = text;
  list.append(li);
  return li;
}
