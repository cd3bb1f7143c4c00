import { field, runPanel } from "./run-panel.ts";

/**
 * The question box: chain of thought, its reasoning and answer streamed token by token.
 * Each output keeps the seq and worker time of the last token it shows (`data-token`:
 * "seq time"), which bench/web-latency.ts reads.
 */
export function askPanel(): void {
  const reasoning = document.getElementById("ask-reasoning")!;
  const answer = document.getElementById("ask-answer")!;
  runPanel<{ reasoning: string; answer: string }>("ask", "/api/ask", {
    body: (form) => {
      const question = field(form, "question");
      return question ? { question } : undefined;
    },
    reset: () => {
      for (const output of [reasoning, answer]) {
        output.textContent = "";
        delete output.dataset.token;
      }
    },
    render: async (run) => {
      for await (const event of run) {
        if (event.type !== "token") continue;
        const output = event.field === "reasoning" ? reasoning : event.field === "answer" ? answer : undefined;
        if (!output) continue;
        output.append(event.delta);
        output.dataset.token = `${event.seq} ${event.time}`;
      }
      const result = await run.result;
      answer.textContent = result.answer; // the parsed answer, without any stray formatting
      return result;
    },
  });
}
