import { concat, field, len, pipeline } from "@dspy-connect/composer";

/**
 * The pipeline the page's pipeline view runs (apps/pipeline's, in one worker call): an
 * answer with its reasoning, a branch on its length, then two rewrites at the same time.
 */
export const explain = pipeline("explain")
  .chainOfThought("question -> answer", { name: "think" })
  .branch(
    len(field("answer")).gt(200),
    pipeline("long").predict("text -> summary", { name: "shorten", inputs: { text: "answer" } }),
    pipeline("short").predict("answer -> summary", { name: "keep" }),
    { name: "length" },
  )
  .parallel(
    [
      pipeline("child").predict("summary -> rewrite", { name: "for_a_child", instructions: "Rewrite the summary for a ten-year-old." }),
      pipeline("expert").predict("summary -> rewrite", { name: "for_an_expert", instructions: "Rewrite the summary for an expert." }),
    ],
    concat("rewrite", { into: "rewrites" }),
    { name: "rewrite" },
  );
