import { describe, expect, it } from "vitest";
import { chatMessages, chatRequestSchema, requestedSchema, stopSequences } from "./chat-request.js";

const parse = (body: unknown) => chatRequestSchema.parse(body);

describe("the chat completion request", () => {
  it("reads what LiteLLM sends for DSPy: text parts, json_schema, max_completion_tokens, stop", () => {
    const request = parse({
      model: "openai/dspy-connect-local",
      messages: [
        { role: "system", content: "Answer in JSON." },
        {
          role: "user",
          content: [
            { type: "text", text: "What is " },
            { type: "text", text: "2 + 2?" },
          ],
        },
      ],
      response_format: { type: "json_schema", json_schema: { name: "outputs", schema: { type: "object" } } },
      max_completion_tokens: 64,
      stop: "\n\n",
      user: "ignored",
    });
    expect(chatMessages(request)).toEqual([
      { role: "system", content: "Answer in JSON." },
      { role: "user", content: "What is 2 + 2?" },
    ]);
    expect(requestedSchema(request)).toEqual({ type: "object" });
    expect(stopSequences(request)).toEqual(["\n\n"]);
  });

  it("takes llama-cpp-python's json_object with a schema, and plain JSON mode", () => {
    const schema = { type: "object", properties: { a: { type: "string" } } };
    expect(
      requestedSchema(parse({ messages: [{ role: "user", content: "x" }], response_format: { type: "json_object", schema } })),
    ).toEqual(schema);
    expect(requestedSchema(parse({ messages: [{ role: "user", content: "x" }], response_format: { type: "json_object" } }))).toEqual({});
    expect(requestedSchema(parse({ messages: [{ role: "user", content: "x" }], response_format: { type: "text" } }))).toBeUndefined();
  });

  it.each([
    [{ messages: [] }, "messages"],
    [{ messages: [{ role: "wizard", content: "x" }] }, "role"],
    [{ messages: [{ role: "user", content: [{ type: "image_url", image_url: "x" }] }] }, "content"],
    [{ messages: [{ role: "user", content: "x" }], n: 2 }, "n"],
    [{ messages: [{ role: "user", content: "x" }], max_tokens: -1 }, "max_tokens"],
    [{ messages: [{ role: "user", content: "x" }], temperature: 7 }, "temperature"],
    [{ messages: [{ role: "user", content: "x" }], response_format: { type: "xml" } }, "response_format"],
  ])("rejects %j at %s", (body, field) => {
    const result = chatRequestSchema.safeParse(body);
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.path.join(".")).toContain(field);
  });
});
