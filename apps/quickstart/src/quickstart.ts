import { createClient } from "@dspy-connect/client";

const client = await createClient({ workers: 2 });
try {
  const out = await client.predict("question: str, options: list[str] -> answer: str, confidence: float", {
    question: "Which planet is largest?",
    options: ["Mars", "Jupiter", "Venus"],
  });
  console.log(JSON.stringify(out), typeof out.confidence); // out: { answer: string; confidence: number }
} finally {
  await client.close();
}
