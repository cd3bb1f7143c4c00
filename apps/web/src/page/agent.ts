import { field, item, runPanel } from "./run-panel.ts";

/** The agent panel: each thought, tool call, tool output and observation as it happens, in order. */
export function agentPanel(): void {
  const steps = document.getElementById("agent-steps")!;
  runPanel<{ answer: string }>("agent", "/api/agent", {
    body: (form) => {
      const question = field(form, "question");
      return question ? { question } : undefined;
    },
    reset: () => steps.replaceChildren(),
    render: async (run) => {
      for await (const event of run) {
        if (event.type === "thought") item(steps, "thought", event.text);
        else if (event.type === "tool_start") item(steps, "tool_start", `${event.tool}(${JSON.stringify(event.args)})`);
        else if (event.type === "tool_output") item(steps, "tool_output", String(event.chunk));
        else if (event.type === "observation") item(steps, "observation", JSON.stringify(event.observation));
        else if (event.type === "tool_error") item(steps, "tool_error", `${event.tool} ${event.kind}: ${event.message}`);
      }
      const result = await run.result;
      item(steps, "answer", result.answer);
      return result;
    },
  });
}
