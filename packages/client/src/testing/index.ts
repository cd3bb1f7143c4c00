// `@dspy-connect/client/testing`: a deterministic test LM for your own test suites, in the
// way `ai/test` is for the AI SDK. Real workers run; only the LM provider is scripted.

export { type ScriptedFields, type ScriptedModel, type ScriptedOutputsOptions, scriptedLm } from "./scripted-lm.js";
export { createTestClient, TEST_PROVIDERS_ENV } from "./test-client.js";
